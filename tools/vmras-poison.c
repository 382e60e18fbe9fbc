/* vmras-poison: make the host kernel treat a page of a running guest's RAM
 * as hardware-poisoned, for real, the way a failing DIMM would.
 *
 *   vmras-poison [--method pfn|madvise|signal|signal-ar] PID GUEST-PHYSICAL-ADDRESS...
 *   vmras-poison [--method pfn] --ram GPA:HVA:SIZE PID GUEST-PHYSICAL-ADDRESS...
 *   vmras-poison --own-test-page PID
 * (--timestamps may come first: see below.)
 *
 * pfn (default): finds the page's frame through /proc/PID/pagemap and writes
 *   it to /sys/kernel/debug/hwpoison/corrupt-pfn (module hwpoison_inject).
 *   This is "the patrol scrubber found an error": vmras, which asked for early
 *   kills, gets BUS_MCEERR_AO; a later guest access gets BUS_MCEERR_AR.
 * madvise: maps the same page of vmras's guest-RAM memfd here and calls
 *   madvise(MADV_HWPOISON) on it.
 * --own-test-page: poisons (pfn method) the page of vmras's own memory that
 *   VMRAS_TEST_OWN_PAGE=1 makes it allocate: the memfd "vmras:own-test-page",
 *   not guest RAM. SIGUSR2 then makes vmras read it.
 * --ram GPA:HVA:SIZE: the guest RAM is not vmras's memfds but the range of
 *   SIZE bytes at HVA in process PID, holding guest-physical GPA.. (QEMU's
 *   arm64 virt RAM: one anonymous mapping of exactly the guest RAM size, GPA
 *   0x40000000 at its start; see /proc/PID/maps). Another VMM is poisoned the
 *   same way as vmras then. pfn method only; repeatable (up to 8 ranges).
 * signal, signal-ar: poison nothing; vmras takes a synthetic report of the
 *   page (action optional, or action required on vCPU 0) through its own
 *   SIGBUS intake, for machines without CONFIG_MEMORY_FAILURE. The guest is
 *   told as for a real error, but its page stays readable.
 * With several addresses, every page is found first; pfn then writes the
 * frames back to back (a burst, as a scrubber finding a failing DIMM reports).
 * --timestamps (pfn): each "poisoned" line ends with " at SECONDS.NANOSECONDS",
 *   the time (CLOCK_REALTIME) just before that frame was written to the
 *   injector: where a poison-to-event latency starts (bench/burst).
 * pfn and madvise need root and a kernel with CONFIG_MEMORY_FAILURE (the lab's
 * test host).
 * Exit status: 0 poisoned, 1 failed, 2 bad usage. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "guest_maps.h"
#include "vmm/sigbus.h"

#define PAGE UINT64_C(4096)
#define CORRUPT_PFN "/sys/kernel/debug/hwpoison/corrupt-pfn"
#define OWN_TEST_PAGE "/memfd:vmras:own-test-page"

static int usage(const char *why)
{
	if (why)
		fprintf(stderr, "vmras-poison: %s\n", why);
	fprintf(stderr, "usage: vmras-poison [--timestamps] [--method pfn|madvise|signal|signal-ar] PID GUEST-PHYSICAL-ADDRESS...\n"
			"       vmras-poison [--timestamps] [--method pfn] --ram GPA:HVA:SIZE PID GUEST-PHYSICAL-ADDRESS...\n"
			"       vmras-poison --own-test-page PID\n");
	return 2;
}

/* Calls fn on each line of /proc/PID/maps until it returns true: 1 then, 0
 * when no line did, -1 (said) when the file cannot be read. */
static int scan_maps(pid_t pid, bool (*fn)(const char *line, void *arg), void *arg)
{
	char path[64], line[512];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "vmras-poison: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f))
		found = fn(line, arg);
	fclose(f);
	return found;
}

static bool own_test_page_line(const char *line, void *arg)
{
	unsigned long long start;
	int name = 0;

	if (sscanf(line, "%llx-%*x %*s %*x %*s %*u %n", &start, &name) != 1 || !name ||
	    strncmp(line + name, OWN_TEST_PAGE, strlen(OWN_TEST_PAGE)))
		return false;
	*(uint64_t *)arg = start;
	return true;
}

/* The start of vmras's own test page (a mapping of the memfd OWN_TEST_PAGE). */
static int find_own_test_page(pid_t pid, uint64_t *hva)
{
	int found = scan_maps(pid, own_test_page_line, hva);

	if (found == 0)
		fprintf(stderr, "vmras-poison: process %d has no own test page (%s): start vmras with VMRAS_TEST_OWN_PAGE=1\n",
			(int)pid, OWN_TEST_PAGE + 1);
	return found == 1 ? 0 : -1;
}

struct gpa_search {
	uint64_t gpa, hva;
	struct guest_mapping m;
	bool any;               /* some guest-RAM mapping seen */
};

static bool gpa_line(const char *line, void *arg)
{
	struct gpa_search *g = arg;

	if (!guest_maps_parse_line(line, &g->m))
		return false;
	g->any = true;
	return guest_maps_gpa_to_hva(&g->m, g->gpa, &g->hva);
}

static int find_mapping(pid_t pid, uint64_t gpa, struct guest_mapping *out, uint64_t *hva)
{
	struct gpa_search g = { .gpa = gpa };
	int found = scan_maps(pid, gpa_line, &g);

	if (found == 1) {
		*out = g.m;
		*hva = g.hva;
		return 0;
	}
	if (found == 0 && !g.any)
		fprintf(stderr, "vmras-poison: process %d has no vmras guest RAM mappings\n", (int)pid);
	else if (found == 0)
		fprintf(stderr, "vmras-poison: 0x%" PRIx64 " is not guest RAM of process %d\n", gpa, (int)pid);
	return -1;
}

#define MAX_RAM 8
static struct guest_mapping ram[MAX_RAM];   /* --ram ranges */
static size_t nram;

/* The --ram range that holds gpa. */
static int find_ram(pid_t pid, uint64_t gpa, struct guest_mapping *out, uint64_t *hva)
{
	for (size_t k = 0; k < nram; k++) {
		if (guest_maps_gpa_to_hva(&ram[k], gpa, hva)) {
			*out = ram[k];
			return 0;
		}
	}
	fprintf(stderr, "vmras-poison: 0x%" PRIx64 " is in no --ram range of process %d\n", gpa, (int)pid);
	return -1;
}

static int pagemap_pfn(pid_t pid, uint64_t hva, uint64_t *pfn)
{
	char path[64];
	uint64_t entry = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, &entry, sizeof(entry), (off_t)(hva / PAGE * 8)) != sizeof(entry)) {
		fprintf(stderr, "vmras-poison: cannot read %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (!(entry >> 63)) {
		*pfn = 0;
		return 1;   /* not present */
	}
	*pfn = entry & ((1ULL << 55) - 1);
	if (!*pfn) {
		fprintf(stderr, "vmras-poison: %s hides frame numbers: run as root\n", path);
		return -1;
	}
	return 0;
}

/* A page the guest never touched has no frame yet; reading it through
 * /proc/PID/mem makes the kernel allocate it, as the guest would. */
static void fault_in(pid_t pid, uint64_t hva)
{
	char path[64], byte;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		(void)!pread(fd, &byte, 1, (off_t)hva);
		close(fd);
	}
}

/* The host frame behind vmras's hva, faulted in first if need be. */
static int resolve_pfn(pid_t pid, uint64_t hva, uint64_t *pfn)
{
	int rc = pagemap_pfn(pid, hva, pfn);

	if (rc == 1) {
		fault_in(pid, hva);
		rc = pagemap_pfn(pid, hva, pfn);
	}
	if (rc == 1)
		fprintf(stderr, "vmras-poison: the page is not in memory\n");
	return rc ? -1 : 0;
}

/* Writes every frame to the injector back to back, as a failing DIMM found
 * by a patrol scrub would report a burst; with times, when each write began.
 * Returns how many were poisoned. */
static size_t write_pfns(const uint64_t *pfns, size_t n, struct timespec *times)
{
	int fd = open(CORRUPT_PFN, O_WRONLY);
	size_t done = 0;

	if (fd < 0) {
		fprintf(stderr, "vmras-poison: cannot open %s: %s (modprobe hwpoison_inject; mount -t debugfs none /sys/kernel/debug)\n",
			CORRUPT_PFN, strerror(errno));
		return 0;
	}
	for (; done < n; done++) {
		char buf[32];
		int len = snprintf(buf, sizeof(buf), "0x%" PRIx64 "\n", pfns[done]);

		if (times)
			clock_gettime(CLOCK_REALTIME, &times[done]);
		if (write(fd, buf, (size_t)len) != len) {
			fprintf(stderr, "vmras-poison: writing pfn 0x%" PRIx64 " to %s: %s\n", pfns[done], CORRUPT_PFN,
				strerror(errno));
			break;
		}
	}
	close(fd);
	return done;
}

static int poison_pfn(pid_t pid, uint64_t hva, uint64_t *pfn)
{
	return resolve_pfn(pid, hva, pfn) || write_pfns(pfn, 1, NULL) != 1 ? -1 : 0;
}

static long parse_pid(const char *arg)
{
	char *end;
	long pid;

	errno = 0;
	pid = strtol(arg, &end, 10);
	return errno || *end || pid <= 0 ? -1 : pid;
}

static int poison_own_test_page(const char *arg)
{
	long pid = parse_pid(arg);
	uint64_t hva, pfn;

	if (pid < 0)
		return usage("PID must be a process id");
	if (find_own_test_page((pid_t)pid, &hva) || poison_pfn((pid_t)pid, hva, &pfn))
		return 1;
	printf("vmras-poison: poisoned vmras's own test page (vmras %ld hva 0x%" PRIx64 ", host pfn 0x%" PRIx64
	       ") via pfn\n", pid, hva, pfn);
	return 0;
}

static int poison_madvise(pid_t pid, const struct guest_mapping *m, uint64_t gpa)
{
	char fddir[64], path[PATH_MAX + 64], target[PATH_MAX];
	uint64_t offset = gpa - m->region_gpa;
	char want[96];
	void *p;

	snprintf(want, sizeof(want), "/memfd:vmras:%s@0x%" PRIx64, m->region, m->region_gpa);
	snprintf(fddir, sizeof(fddir), "/proc/%d/fd", (int)pid);
	for (int fdno = 0; fdno < 4096; fdno++) {
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "%s/%d", fddir, fdno);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = 0;
		if (strncmp(target, want, strlen(want)))
			continue;
		fd = open(path, O_RDWR);
		if (fd < 0)
			break;
		p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)(offset & ~(PAGE - 1)));
		close(fd);
		if (p == MAP_FAILED)
			break;
		if (madvise(p, PAGE, MADV_HWPOISON)) {
			fprintf(stderr, "vmras-poison: madvise(MADV_HWPOISON): %s\n", strerror(errno));
			return -1;
		}
		return 0;
	}
	fprintf(stderr, "vmras-poison: cannot open vmras's memfd for region %s: %s\n", m->region, strerror(errno));
	return -1;
}

/* No poison at all: asks vmras to take a synthetic report of the page
 * through its own SIGBUS intake (see VMRAS_SIG_SYNTHETIC_AO in vmm/sigbus.h). */
static int signal_vmras(pid_t pid, uint64_t gpa, bool ar)
{
	union sigval v = { .sival_ptr = (void *)(uintptr_t)gpa };

	if (sigqueue(pid, ar ? VMRAS_SIG_SYNTHETIC_AR : VMRAS_SIG_SYNTHETIC_AO, v)) {
		fprintf(stderr, "vmras-poison: cannot signal process %d: %s\n", (int)pid, strerror(errno));
		return -1;
	}
	return 0;
}

static int parse_gpa(const char *arg, uint64_t *gpa)
{
	char *end;

	errno = 0;
	*gpa = strtoull(arg, &end, 0);
	return errno || *end || arg[0] == '-' || !arg[0] ? -1 : 0;
}

static void said(const char *method, long pid, uint64_t gpa, const struct guest_mapping *m, uint64_t hva, uint64_t pfn,
		 const struct timespec *at)
{
	printf("vmras-poison: poisoned guest page 0x%" PRIx64 " (region %s, %s %ld hva 0x%" PRIx64,
	       gpa & ~(PAGE - 1), m->region, nram ? "process" : "vmras", pid, hva & ~(PAGE - 1));
	if (pfn)
		printf(", host pfn 0x%" PRIx64, pfn);
	printf(") via %s", method);
	if (at)
		printf(" at %lld.%09ld", (long long)at->tv_sec, at->tv_nsec);
	putchar('\n');
}

int main(int argc, char **argv)
{
	const char *method = "pfn";
	struct guest_mapping *maps;
	uint64_t *gpas, *hvas, *pfns;
	struct timespec *times = NULL;
	bool timestamps = false;
	size_t n, done;
	long pid;
	int i = 1;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return usage(NULL), 0;
	if (argc > 1 && !strcmp(argv[1], "--own-test-page"))
		return argc == 3 ? poison_own_test_page(argv[2]) : usage(NULL);
	if (argc > 1 && !strcmp(argv[1], "--timestamps")) {
		timestamps = true;
		i++;
	}
	while (argc - i > 1 && (!strcmp(argv[i], "--method") || !strcmp(argv[i], "--ram"))) {
		if (!strcmp(argv[i], "--method")) {
			method = argv[i + 1];
		} else {
			if (nram == MAX_RAM)
				return usage("at most 8 --ram ranges");
			if (!guest_maps_parse_ram_spec(argv[i + 1], &ram[nram++]))
				return usage("--ram needs GPA:HVA:SIZE (numbers, 0x... for hex; SIZE not 0)");
		}
		i += 2;
	}
	if (strcmp(method, "pfn") && strcmp(method, "madvise") && strcmp(method, "signal") &&
	    strcmp(method, "signal-ar"))
		return usage("--method is pfn, madvise, signal or signal-ar");
	if (timestamps && strcmp(method, "pfn"))
		return usage("--timestamps works with --method pfn only");
	if (nram && strcmp(method, "pfn"))
		return usage("--ram works with --method pfn only (madvise and signal need vmras)");
	if (argc - i < 2)
		return usage(NULL);
	pid = parse_pid(argv[i]);
	if (pid < 0)
		return usage("PID must be a process id");
	n = (size_t)(argc - i - 1);
	gpas = calloc(n, sizeof(*gpas));
	hvas = calloc(n, sizeof(*hvas));
	pfns = calloc(n, sizeof(*pfns));
	maps = calloc(n, sizeof(*maps));
	if (timestamps)
		times = calloc(n, sizeof(*times));
	if (!gpas || !hvas || !pfns || !maps || (timestamps && !times)) {
		fprintf(stderr, "vmras-poison: out of memory\n");
		return 1;
	}
	/* Every page is found first, so that a pfn burst goes out back to back. */
	for (size_t k = 0; k < n; k++) {
		if (parse_gpa(argv[i + 1 + (int)k], &gpas[k]))
			return usage("GUEST-PHYSICAL-ADDRESS must be a number (0x... for hex)");
		if (nram ? find_ram((pid_t)pid, gpas[k], &maps[k], &hvas[k])
			 : find_mapping((pid_t)pid, gpas[k], &maps[k], &hvas[k]))
			return 1;
		if (!strcmp(method, "pfn") && resolve_pfn((pid_t)pid, hvas[k], &pfns[k]))
			return 1;
	}
	if (!strcmp(method, "pfn")) {
		done = write_pfns(pfns, n, times);
		for (size_t k = 0; k < done; k++)
			said(method, pid, gpas[k], &maps[k], hvas[k], pfns[k], times ? &times[k] : NULL);
		return done == n ? 0 : 1;
	}
	for (size_t k = 0; k < n; k++) {
		if (!strncmp(method, "signal", 6)) {
			if (signal_vmras((pid_t)pid, gpas[k], !strcmp(method, "signal-ar")))
				return 1;
			printf("vmras-poison: asked vmras %ld for a synthetic %s report of guest page 0x%" PRIx64
			       " (region %s; nothing poisoned)\n", pid,
			       strcmp(method, "signal") ? "action-required" : "action-optional", gpas[k] & ~(PAGE - 1),
			       maps[k].region);
			continue;
		}
		if (poison_madvise((pid_t)pid, &maps[k], gpas[k]))
			return 1;
		said(method, pid, gpas[k], &maps[k], hvas[k], 0, NULL);
	}
	return 0;
}
