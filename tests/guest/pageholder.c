/* pageholder: a static helper that runs inside a Linux test guest and holds one
 * page of anonymous memory for the memory-failure lab tests (issue 3).
 *
 *   pageholder [early|late] [NAME] [PAGES [read] [huge] [survive] [write=FILE]]
 *
 * It maps one private anonymous page, fills it with a pattern (so the page is
 * dirty in the guest, and in the host behind it), and prints one line:
 *
 *   pageholder: NAME pid=PID va=0xVA pfn=0xPFN gpa=0xGPA kill=early|late
 *
 * where PFN and GPA come from /proc/self/pagemap (the guest-physical address
 * the host side needs for vmras-poison). "early" asks the guest kernel for
 * early kill (prctl PR_MCE_KILL_EARLY: a SIGBUS BUS_MCEERR_AO as soon as the
 * kernel isolates the page); "late" (the default) leaves the system default
 * (vm.memory_failure_early_kill, 0: the process learns only when it touches
 * the page). Then it waits for signals:
 *
 *   SIGUSR1  read the whole page and check the pattern:
 *            "pageholder: NAME read ok" or "pageholder: NAME read bad at +OFF"
 *   SIGTERM  "pageholder: NAME exit" and exit 0
 *
 * A SIGBUS is reported, then re-raised with its default action, so the
 * process really dies of it (a shell sees status 135):
 *
 *   pageholder: NAME SIGBUS code=4 (BUS_MCEERR_AR) addr=0xVA lsb=12
 *
 * With PAGES (default 1) it holds that many pages, and after the line above
 * prints the guest-physical address of every page, eight to a line:
 *
 *   pageholder: NAME gpas 0xGPA 0xGPA ...
 *
 * With "read" it also reads all its pages every 50 ms (a process working on
 * its memory), saying "pageholder: NAME read bad at +OFF" once if a check fails.
 * With "huge" its pages start on a 2 MiB boundary and are advised
 * MADV_HUGEPAGE (instead of MADV_NOHUGEPAGE): with transparent hugepages on,
 * 512 of them are one guest hugepage, 2 MiB of guest-physical memory in one
 * piece, which a hugepage of the host behind the guest holds whole.
 * With "survive" a SIGBUS does not kill it: it says so and goes on (as a
 * program that drops what it lost), and SIGUSR1 reads every page once,
 * each SIGBUS skipping the page it hit, then says
 *   pageholder: NAME swept PAGES pages, LOST lost
 * so that it has touched every page of its own (the guest isolates any it
 * was not told of yet) before it exits and frees them.
 *
 * With "write=FILE", SIGUSR2 writes its first page to FILE at offset 0 with
 * O_DIRECT, so that a device of the VMM reads the page itself (not a copy
 * in the guest's page cache), and says
 *   pageholder: NAME direct write ok     or
 *   pageholder: NAME direct write failed: errno=E (TEXT)
 *
 * Output goes to stdout with write(2), unbuffered. Exit status: 0 on SIGTERM,
 * 1 when set-up fails, 2 bad usage; death by SIGBUS otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR 4
#endif
#ifndef BUS_MCEERR_AO
#define BUS_MCEERR_AO 5
#endif

static const char *name = "holder";
static volatile uint8_t *page;
static long page_size;
static long pages = 1;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "pageholder: %s ", name);
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	(void)!write(1, buf, (size_t)n);
}

static uint8_t pattern(long i)
{
	return (uint8_t)(0xa5 ^ (i * 7));
}

static bool survive;
static const char *write_file;

/* One page, from the page itself, to the start of write_file. */
static void direct_write(void)
{
	int fd = open(write_file, O_WRONLY | O_DIRECT | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		say("direct write failed: errno=%d (open: %s)", errno, strerror(errno));
		return;
	}
	n = pwrite(fd, (const void *)page, (size_t)page_size, 0);
	if (n == (ssize_t)page_size && !fsync(fd))
		say("direct write ok");
	else if (n < 0 || n == (ssize_t)page_size)
		say("direct write failed: errno=%d (%s)", errno, strerror(errno));
	else
		say("direct write failed: %zd of %ld bytes written", n, page_size);
	close(fd);
}
static sigjmp_buf sweep_jmp;
static volatile sig_atomic_t sweeping;

/* Async-signal-safe enough: snprintf of integers into a stack buffer, write. */
static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	const char *what = si->si_code == BUS_MCEERR_AR ? "BUS_MCEERR_AR" :
			   si->si_code == BUS_MCEERR_AO ? "BUS_MCEERR_AO" : "other";
	static volatile sig_atomic_t said_ar, said_ao;

	(void)uc;
	/* A survivor may take 512 of them: the first of each kind is said,
	 * the sweep's line counts the rest. */
	if (!survive || (si->si_code == BUS_MCEERR_AR ? !said_ar++ : si->si_code == BUS_MCEERR_AO ? !said_ao++ : 1))
		say("SIGBUS code=%d (%s) addr=%p lsb=%d", si->si_code, what, si->si_addr,
		    (int)si->si_addr_lsb);
	if (survive && si->si_code == BUS_MCEERR_AR && sweeping)
		siglongjmp(sweep_jmp, 1);
	if (survive && si->si_code == BUS_MCEERR_AO)
		return;   /* nothing was touched: go on */
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Reads one byte of every page, going past the ones that are lost. */
static void sweep(void)
{
	static volatile long k, lost;

	lost = 0;
	for (k = 0; k < pages; k++) {
		sweeping = 1;
		if (sigsetjmp(sweep_jmp, 1)) {
			sweeping = 0;
			lost++;
			continue;
		}
		(void)page[k * page_size];
		sweeping = 0;
	}
	say("swept %ld pages, %ld lost", pages, (long)lost);
}

/* The first byte that breaks the pattern, or -1. */
static long check(void)
{
	for (long i = 0; i < pages * page_size; i++)
		if (page[i] != pattern(i))
			return i;
	return -1;
}

static int frame(int fd, long k, uint64_t *pfn, uint64_t *entry)
{
	if (pread(fd, entry, sizeof(*entry), (off_t)(((uintptr_t)page / (uintptr_t)page_size + (uintptr_t)k) * 8)) !=
	    (ssize_t)sizeof(*entry))
		return -1;
	*pfn = *entry & ((UINT64_C(1) << 55) - 1);
	return (*entry >> 63) && *pfn ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { 0 };
	struct timespec tick = { .tv_nsec = 50 * 1000 * 1000 };
	sigset_t set;
	uint64_t entry = 0, pfn;
	bool early = false, reading = false, told = false, huge = false;
	int fd, sig;
	char line[200];
	int used = 0;

	int i = 1;

	if (i < argc && (!strcmp(argv[i], "early") || !strcmp(argv[i], "late")))
		early = !strcmp(argv[i++], "early");
	if (i < argc && argv[i][0] != '-' && (argv[i][0] < '0' || argv[i][0] > '9'))
		name = argv[i++];
	if (i < argc && argv[i][0] >= '0' && argv[i][0] <= '9')
		pages = strtol(argv[i++], NULL, 10);
	for (; i < argc && (!strcmp(argv[i], "read") || !strcmp(argv[i], "huge") || !strcmp(argv[i], "survive") ||
			    !strncmp(argv[i], "write=", 6));
	     i++) {
		if (!strncmp(argv[i], "write=", 6))
			write_file = argv[i] + 6;
		else if (!strcmp(argv[i], "read"))
			reading = true;
		else if (!strcmp(argv[i], "huge"))
			huge = true;
		else
			survive = true;
	}
	if (i < argc || pages < 1 || pages > 65536) {
		fprintf(stderr, "usage: pageholder [early|late] [NAME] [PAGES [read] [huge] [survive] [write=FILE]]\n");
		return 2;
	}
	if (early && prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0)) {
		say("error prctl(PR_MCE_KILL): %s", strerror(errno));
		return 1;
	}

	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);

	page_size = sysconf(_SC_PAGESIZE);
	{
		size_t len = (size_t)(pages * page_size), align = huge ? (size_t)2 << 20 : 0;
		uint8_t *raw = mmap(NULL, len + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (raw == MAP_FAILED) {
			say("error mmap: %s", strerror(errno));
			return 1;
		}
		page = huge ? (uint8_t *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1)) : raw;
		madvise((void *)page, len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	}
	for (long k = 0; k < pages * page_size; k++)
		page[k] = pattern(k);

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || frame(fd, 0, &pfn, &entry)) {
		say("error page not present or pfn hidden (pagemap entry 0x%llx): %s", (unsigned long long)entry,
		    strerror(errno));
		return 1;
	}
	say("pid=%d va=%p pfn=0x%llx gpa=0x%llx kill=%s", (int)getpid(), (void *)page,
	    (unsigned long long)pfn, (unsigned long long)(pfn * (uint64_t)page_size), early ? "early" : "late");
	for (long k = 0; pages > 1 && k < pages; k++) {
		if (frame(fd, k, &pfn, &entry)) {
			say("error page %ld not present (pagemap entry 0x%llx)", k, (unsigned long long)entry);
			return 1;
		}
		used += snprintf(line + used, sizeof(line) - (size_t)used, " 0x%llx",
				 (unsigned long long)(pfn * (uint64_t)page_size));
		if (k % 8 == 7 || k == pages - 1) {
			say("gpas%s", line);
			used = 0;
		}
	}
	close(fd);

	for (;;) {
		long bad;

		sig = reading ? sigtimedwait(&set, NULL, &tick) : (sigwait(&set, &sig) ? -1 : sig);
		if (sig == SIGTERM) {
			say("exit");
			return 0;
		}
		if (sig < 0 && !reading)
			continue;
		if (sig == SIGUSR2) {
			if (write_file)
				direct_write();
			continue;
		}
		if (survive) {
			if (sig == SIGUSR1)
				sweep();
			continue;
		}
		bad = check();
		if (sig == SIGUSR1 && bad < 0)
			say("read ok");
		else if (bad >= 0 && (sig == SIGUSR1 || !told)) {
			say("read bad at +%ld", bad);
			told = true;
		}
	}
}
