/* Poison registry against the structure QEMU uses (a linked list searched on
 * every report, one remap per page on reset), in one run, on this machine:
 *
 *   1. Recording N distinct poisoned pages plus N/4 duplicate reports. The
 *      list is quadratic, so it is measured up to --list-max pages and
 *      extrapolated (n^2) beyond, and says so.
 *   2. Guest reset with 10,000 poisoned pages, scattered and clustered: the
 *      discard calls are real madvise(MADV_DONTNEED) calls on an anonymous
 *      mapping whose poisoned pages were written first; the registry makes one
 *      per coalesced run, the list one per page.
 *
 * Usage: poison-registry [--pages N] [--list-max N] [--reset-pages N] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include "ras/poison.h"

#define PAGE 4096ULL

struct list_page {
	uint64_t addr;
	struct list_page *next;
};

struct list {
	struct list_page *head;
	size_t n;
};

/* QEMU's kvm_hwpoison_page_add: scan for the page, else insert at the head. */
static void list_add(struct list *l, uint64_t addr)
{
	for (struct list_page *p = l->head; p; p = p->next)
		if (p->addr == addr)
			return;
	struct list_page *p = malloc(sizeof(*p));
	if (!p) {
		perror("malloc");
		exit(1);
	}
	p->addr = addr;
	p->next = l->head;
	l->head = p;
	l->n++;
}

static void list_free(struct list *l)
{
	while (l->head) {
		struct list_page *p = l->head;
		l->head = p->next;
		free(p);
	}
	l->n = 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The i-th distinct page of a 1 TiB guest: an odd multiplier modulo 2^28
 * pages is a permutation, so pages are distinct and scattered. */
static uint64_t page_gpa(uint64_t i)
{
	return ((i * 0x9e3779b1ULL) & ((1ULL << 28) - 1)) * PAGE;
}

static struct memory_failure report(uint64_t gpa)
{
	return (struct memory_failure){ .recipient = MF_RECIPIENT_GUEST, .gpa = gpa,
					.hva = 0x7f0000000000ULL + gpa, .lsb = 12, .vcpu = -1,
					.region = gpa < (3ULL << 30) ? "ram-below-4g" : "ram-above-4g" };
}

static double time_registry(uint64_t n, uint64_t dups)
{
	struct poison_registry *r = poison_new();
	double t0 = now();

	for (uint64_t i = 0, d = 0; i < n; i++) {
		struct memory_failure f = report(page_gpa(i));
		if (poison_record(r, &f, MF_ACTION_INJECT, i, NULL) != POISON_ADDED)
			goto broken;
		/* Duplicates interleaved: a page reported again later (AO, then AR). */
		if (d < dups && i % 4 == 3) {
			f = report(page_gpa(i / 2));
			if (poison_record(r, &f, MF_ACTION_INJECT, i, NULL) != POISON_DUPLICATE)
				goto broken;
			d++;
		}
	}
	double t = now() - t0;
	if (poison_count(r) != n)
		goto broken;
	poison_free(r);
	return t;
broken:
	fprintf(stderr, "poison-registry: the registry miscounted\n");
	exit(1);
}

static double time_list(uint64_t n, uint64_t dups)
{
	struct list l = { 0 };
	double t0 = now();

	for (uint64_t i = 0, d = 0; i < n; i++) {
		list_add(&l, page_gpa(i));
		if (d < dups && i % 4 == 3) {
			list_add(&l, page_gpa(i / 2));
			d++;
		}
	}
	double t = now() - t0;
	if (l.n != n) {
		fprintf(stderr, "poison-registry: the list miscounted\n");
		exit(1);
	}
	list_free(&l);
	return t;
}

static void show_time(char *buf, size_t len, double s)
{
	if (s < 1e-3)
		snprintf(buf, len, "%.1f us", s * 1e6);
	else if (s < 1)
		snprintf(buf, len, "%.1f ms", s * 1e3);
	else
		snprintf(buf, len, "%.2f s", s);
}

/* Reset: discard every poisoned page of a guest of `span` bytes. */
static void reset_case(const char *what, const uint64_t *pages, size_t n, uint8_t *ram, uint64_t span)
{
	struct poison_registry *r = poison_new();
	struct list l = { 0 };
	struct poison_run *runs;
	size_t nruns;
	char a[32], b[32];

	for (size_t i = 0; i < n; i++) {
		struct memory_failure f = report(pages[i]);
		f.region = "ram";
		poison_record(r, &f, MF_ACTION_INJECT, i, NULL);
		list_add(&l, pages[i]);
	}

	/* Registry: runs, one madvise each, then mark them replaced. */
	for (size_t i = 0; i < n; i++)
		ram[pages[i]] = 1;
	double t0 = now();
	if (poison_runs(r, &runs, &nruns) < 0) {
		perror("poison_runs");
		exit(1);
	}
	for (size_t i = 0; i < nruns; i++)
		if (runs[i].gpa + runs[i].size > span ||
		    madvise(ram + runs[i].gpa, runs[i].size, MADV_DONTNEED) < 0) {
			perror("madvise");
			exit(1);
		}
	size_t marked = poison_mark_replaced(r, runs, nruns);
	double tr = now() - t0;
	free(runs);

	/* List: one call per page, as QEMU remaps page by page. */
	for (size_t i = 0; i < n; i++)
		ram[pages[i]] = 1;
	t0 = now();
	size_t calls = 0;
	for (struct list_page *p = l.head; p; p = p->next, calls++)
		if (madvise(ram + p->addr, PAGE, MADV_DONTNEED) < 0) {
			perror("madvise");
			exit(1);
		}
	double tl = now() - t0;

	show_time(a, sizeof(a), tr);
	show_time(b, sizeof(b), tl);
	printf("reset, %zu %s pages: registry %zu runs = %zu madvise calls, %s | "
	       "list %zu calls, %s | calls x%.1f fewer, time ratio list/registry %.1f\n",
	       n, what, nruns, nruns, a, calls, b, (double)calls / (double)nruns, tl / tr);
	if (marked != poison_count(r) || poison_pending(r) != 0) {
		fprintf(stderr, "poison-registry: reset left pages behind\n");
		exit(1);
	}
	list_free(&l);
	poison_free(r);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint64_t pages = 1000000, list_max = 100000, reset_pages = 10000;
	static const struct option opts[] = {
		{ "pages", required_argument, NULL, 'p' },
		{ "list-max", required_argument, NULL, 'l' },
		{ "reset-pages", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pages = strtoull(optarg, NULL, 0); break;
		case 'l': list_max = strtoull(optarg, NULL, 0); break;
		case 'r': reset_pages = strtoull(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: %s [--pages N] [--list-max N] [--reset-pages N]\n", argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (!pages || pages > 1ULL << 28 || !reset_pages || reset_pages > 1000000) {
		fprintf(stderr, "poison-registry: --pages 1..2^28, --reset-pages 1..1000000\n");
		return 2;
	}

	printf("recording poisoned pages: registry (hash) vs list with linear search (QEMU)\n");
	printf("%10s %10s %12s %14s %10s\n", "pages", "duplicates", "registry", "list", "list/reg");
	double last_list = 0, last_n = 0;
	for (uint64_t n = 10000; ; n = n * 10 > pages ? pages : n * 10) {
		if (n > pages)
			n = pages;
		uint64_t dups = n / 4;
		double tr = time_registry(n, dups);
		char a[32], b[48];
		show_time(a, sizeof(a), tr);
		if (n <= list_max) {
			double tl = time_list(n, dups);
			show_time(b, sizeof(b), tl);
			printf("%10llu %10llu %12s %14s %9.0fx\n", (unsigned long long)n,
			       (unsigned long long)dups, a, b, tl / tr);
			last_list = tl;
			last_n = (double)n;
		} else if (last_n > 0) {
			/* Quadratic: every add scans the whole list. */
			double tl = last_list * ((double)n / last_n) * ((double)n / last_n);
			show_time(b + 1, sizeof(b) - 1, tl);
			b[0] = '~';
			printf("%10llu %10llu %12s %14s %9.0fx  (list extrapolated from %.0f pages, n^2)\n",
			       (unsigned long long)n, (unsigned long long)dups, a, b, tl / tr, last_n);
		} else {
			printf("%10llu %10llu %12s %14s\n", (unsigned long long)n,
			       (unsigned long long)dups, a, "(not run)");
		}
		if (n == pages)
			break;
	}

	/* Reset: a 4 GiB guest, poisoned pages written first so the discards do work. */
	const uint64_t span = 4ULL << 30;
	uint8_t *ram = mmap(NULL, span, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint64_t *pg = malloc(reset_pages * sizeof(*pg));
	if (ram == MAP_FAILED || !pg) {
		perror("mmap");
		return 1;
	}
	/* Scattered: distinct pages anywhere in the guest. */
	for (uint64_t i = 0; i < reset_pages; i++)
		pg[i] = ((i * 0x9e3779b1ULL) & (span / PAGE - 1)) * PAGE;
	reset_case("scattered", pg, reset_pages, ram, span);
	/* Clustered, as a failing DIMM row or chip tends to be: bursts of 1 to 64
	 * adjacent pages at scattered places, duplicates removed. */
	uint64_t k = 0, seed = 88172645463325252ULL;
	while (k < reset_pages) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		uint64_t base = (seed % (span / PAGE - 64)) * PAGE, len = 1 + (seed >> 40) % 64;
		for (uint64_t j = 0; j < len && k < reset_pages; j++)
			pg[k++] = base + j * PAGE;
	}
	qsort(pg, reset_pages, sizeof(*pg), cmp_u64);
	size_t m = 0;
	for (uint64_t i = 0; i < reset_pages; i++)
		if (!m || pg[m - 1] != pg[i])
			pg[m++] = pg[i];
	reset_case("clustered", pg, m, ram, span);

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS %.0f MiB\n", (double)ru.ru_maxrss / 1024);
	munmap(ram, span);
	free(pg);
	return 0;
}
