#include "vmm/sigbus.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR 4
#define BUS_MCEERR_AO 5
#endif

static struct sigbus_ring ring;
static int wake_fd = -1;
static __thread int thread_vcpu = -1;
static __thread volatile sig_atomic_t thread_ar;
static __thread bool thread_is_handler;

static void handler(int sig, siginfo_t *si, void *uc)
{
	struct sigbus_event ev;
	struct timespec ts;
	uint64_t one = 1;
	int saved_errno = errno;
	(void)uc;

	int code = si->si_code;
	uintptr_t addr = (uintptr_t)si->si_addr;
	int lsb = si->si_addr_lsb;

	/* A synthetic report vmras queued to itself (sigbus_queue_synthetic):
	 * the kernel lets a thread other than the main one send a SIGBUS only
	 * as SI_QUEUE, so the page and the kind travel in the value. */
	if (code == SI_QUEUE && si->si_pid == getpid()) {
		uintptr_t v = (uintptr_t)si->si_value.sival_ptr;
		code = v & 1 ? BUS_MCEERR_AR : BUS_MCEERR_AO;
		addr = v & ~(uintptr_t)0xfff;
		lsb = 12;
	}
	if (code != BUS_MCEERR_AR && code != BUS_MCEERR_AO) {
		/* Not ours: a plain bus error must still kill the process as it
		 * would have. The re-raised signal stays pending until this
		 * handler returns, then the default action takes it. */
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		sigaction(sig, &dfl, NULL);
		raise(sig);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ev.code = code;
	ev.addr = addr;
	ev.lsb = lsb;
	ev.tid = (int)syscall(SYS_gettid);
	ev.vcpu = thread_vcpu;
	ev.time_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	sigbus_ring_push(&ring, &ev);
	if (code == BUS_MCEERR_AR)
		thread_ar++;
	while (write(wake_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	if (code == BUS_MCEERR_AR && thread_vcpu < 0) {
		/* A thread that is not a vCPU would only fault again on return;
		 * nothing can repair its load. Leave the verdict (an event, then
		 * exit) to the handling thread and wait here for the end. That
		 * thread cannot wait for itself, though. */
		if (thread_is_handler) {
			static const char msg[] = "vmras: the memory-failure thread touched poisoned memory; exiting\n";
			(void)!write(2, msg, sizeof(msg) - 1);
			_exit(1);
		}
		for (;;)
			pause();
	}
	errno = saved_errno;
}

int sigbus_intake_install(void)
{
	struct sigaction sa;

	/* Installing again only re-arms the handler (something else may have
	 * replaced it); recorded signals stay queued. */
	if (wake_fd < 0) {
		sigbus_ring_init(&ring);
		wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (wake_fd < 0)
			return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, NULL);
}

int sigbus_intake_eventfd(void)
{
	return wake_fd;
}

bool sigbus_intake_take(struct sigbus_event *ev)
{
	uint64_t count;

	if (sigbus_ring_pop(&ring, ev))
		return true;
	/* Drained: clear the wake-up, then look once more so that a signal
	 * recorded between the pop and the read is not left waiting. */
	(void)!read(wake_fd, &count, sizeof(count));
	return sigbus_ring_pop(&ring, ev);
}

unsigned long sigbus_intake_dropped(void)
{
	return (unsigned long)sigbus_ring_take_dropped(&ring);
}

void sigbus_set_thread_vcpu(int index)
{
	thread_vcpu = index;
}

int sigbus_queue_synthetic(pthread_t thread, const void *page, bool ar)
{
	union sigval v = { .sival_ptr = (void *)((uintptr_t)page | (ar ? 1 : 0)) };

	return pthread_sigqueue(thread, SIGBUS, v);
}

void sigbus_set_thread_handler(void)
{
	thread_is_handler = true;
}

unsigned sigbus_thread_take_ar(void)
{
	/* Only this thread's own handler changes it, and not while this runs
	 * to completion between two reads of a signal-safe int. */
	unsigned n = (unsigned)thread_ar;
	thread_ar -= (sig_atomic_t)n;
	return n;
}
