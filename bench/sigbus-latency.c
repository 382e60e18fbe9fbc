/* Latency of vmras's memory-failure path from SIGBUS delivery to the event
 * written, with the synthetic intake (rt_tgsigqueueinfo to itself), so it
 * runs on any machine. The pipeline is vmras's own: the SIGBUS handler and
 * ring, the eventfd, guest-RAM translation, the decision, the poison registry,
 * the event JSON and the JSON Lines sink. Not included: reading the vCPUs'
 * machine-check state and injecting, which need KVM (one ioctl each on the
 * vCPU's own thread).
 *
 *   sigbus-latency [REPORTS]    (default 20000)
 * Prints percentiles of signal-taken -> event-written, and of send -> written. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ras/event.h"
#include "x86/mce.h"
#include "ras/poison.h"
#include "vmm/event_sink.h"
#include "vmm/guest_ram.h"
#include "vmm/sigbus.h"
#include "x86/ram_layout.h"

#define BUS_MCEERR_AO_CODE 5

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp);
	printf("%-32s p50 %6.1f us  p90 %6.1f us  p99 %6.1f us  max %7.1f us\n", what,
	       v[n / 2] / 1e3, v[n * 9 / 10] / 1e3, v[n * 99 / 100] / 1e3, v[n - 1] / 1e3);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000;
	struct guest_ram ram;
	struct mce_vcpu_state vcpu = { .cr4_mce = true, .mcg_ctl = ~0ULL };
	struct mce_machine mm = { .vendor = X86_VENDOR_AMD, .mcg_cap = 10 | (1ULL << 8), .vcpu = &vcpu, .nvcpus = 1 };
	struct poison_registry *reg = poison_new();
	uint64_t *taken = calloc(n, sizeof(*taken)), *sent = calloc(n, sizeof(*sent));
	char path[] = "/tmp/vmras-latency-XXXXXX";
	int tmp = mkstemp(path);
	struct event_sink *log;
	uint8_t *mem;

	if (!n || !reg || !taken || !sent || tmp < 0) {
		fprintf(stderr, "sigbus-latency: setup failed\n");
		return 1;
	}
	close(tmp);
	log = event_log_open(path);
	if (!log || event_sinks_add(log) || sigbus_intake_install()) {
		fprintf(stderr, "sigbus-latency: setup failed: %s\n", strerror(errno));
		return 1;
	}
	vcpu.bank[MCE_BANK_MEMORY].ctl = ~0ULL;
	x86_ram_layout(&ram, 256ULL << 20);
	mem = malloc(ram.region[0].size);   /* stands in for guest RAM: addresses only, never touched */
	ram.region[0].hva = mem;

	for (size_t i = 0; i < n; i++) {
		siginfo_t si = { 0 };
		struct sigbus_event e;
		struct memory_failure f = { .lsb = 12, .vcpu = -1 };
		const struct ram_region *region;
		const struct poison_entry *entry;
		struct mce_decision d;
		struct pollfd p = { .fd = sigbus_intake_eventfd(), .events = POLLIN };
		uint64_t t0 = now_ns(), t1;

		si.si_signo = SIGBUS;
		si.si_code = BUS_MCEERR_AO_CODE;
		si.si_addr = mem + ((i * 7919) % (ram.region[0].size >> 12) << 12);   /* scattered pages */
		si.si_addr_lsb = 12;
		syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), SIGBUS, &si);
		poll(&p, 1, -1);
		if (!sigbus_intake_take(&e)) {
			fprintf(stderr, "sigbus-latency: report %zu lost\n", i);
			return 1;
		}
		f.hva = e.addr;
		f.recipient = guest_ram_hva_to_gpa(&ram, (void *)e.addr, &f.gpa, &region) ? MF_RECIPIENT_GUEST
											    : MF_RECIPIENT_HYPERVISOR;
		f.region = region->name;
		mce_decide(&mm, &f, &d);
		poison_record(reg, &f, d.v.action, e.time_ns, &entry);
		struct mf_event ev = mf_event_from_mce(&f, &d, entry, e.time_ns);
		size_t len;
		char *line = mf_event_line(&ev, &len);
		event_sinks_emit(line, len);
		free(line);
		t1 = now_ns();
		taken[i] = t1 - e.time_ns;
		sent[i] = t1 - t0;
	}
	printf("vmras memory-failure path, %zu synthetic action-optional reports to distinct pages\n", n);
	report("signal taken -> event written", taken, n);
	report("signal sent -> event written", sent, n);
	printf("registry: %zu entries; event log: %s (removed)\n", poison_count(reg), path);
	unlink(path);
	return 0;
}
