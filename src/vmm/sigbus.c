#include "vmm/sigbus.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
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
static unsigned vm_generation;
static int wake_fd = -1;
static __thread int thread_vcpu = -1;
static __thread volatile sig_atomic_t thread_ar;
static __thread bool thread_is_handler;
static __thread volatile sig_atomic_t thread_in_guest;

/* sigbus_guarded's frame: where an action-required error inside it lands. */
struct guard {
	sigjmp_buf env;
	volatile uintptr_t addr;
	volatile int lsb;
};
static __thread struct guard *volatile thread_guard;

/* A parked thread waits this long for the RAS thread's verdict (an event,
 * then exit 1), then ends the process itself: whatever has gone wrong with
 * the RAS thread, vmras must not hang. The verdict takes milliseconds. */
#define PARK_LIMIT_S 30

static void park(void)
{
	static const char msg[] = "vmras: a thread of vmras touched poisoned memory and no verdict came "
				  "within 30 s; exiting\n";
	struct timespec second = { .tv_sec = 1 };

	for (int i = 0; i < PARK_LIMIT_S; i++)
		while (nanosleep(&second, &second) && errno == EINTR)
			;
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

/* Wakes the reader of the ring (async-signal-safe: the handler's too). */
static void wake(void)
{
	uint64_t one = 1;

	while (write(wake_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void handler(int sig, siginfo_t *si, void *uc)
{
	struct sigbus_event ev;
	struct timespec ts;
	int saved_errno = errno;
	(void)uc;

	int code = si->si_code;
	uintptr_t addr = (uintptr_t)si->si_addr;
	int lsb = si->si_addr_lsb;
	bool synthetic = false;

	/* A synthetic report vmras queued to itself (sigbus_queue_synthetic):
	 * the kernel lets a thread other than the main one send a SIGBUS only
	 * as SI_QUEUE, so the page and the kind travel in the value. */
	if (code == SI_QUEUE && si->si_pid == getpid()) {
		uintptr_t v = (uintptr_t)si->si_value.sival_ptr;
		code = v & 1 ? BUS_MCEERR_AR : BUS_MCEERR_AO;
		addr = v & ~(uintptr_t)0xfff;
		lsb = 12;
		synthetic = true;
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
	if (code == BUS_MCEERR_AR && thread_guard) {
		/* A guarded copy (sigbus_guarded) touched poison: its caller
		 * deals with the page, so nothing is recorded here. */
		struct guard *g = thread_guard;

		thread_guard = NULL;
		g->addr = addr;
		g->lsb = lsb;
		siglongjmp(g->env, 1);
	}
	/* A vCPU thread's own load outside KVM_RUN is like any other thread's:
	 * only a guest access can be handed to the guest. A synthetic report
	 * stands for a guest access wherever the thread was. */
	bool from_guest = thread_vcpu >= 0 && (thread_in_guest || synthetic || code != BUS_MCEERR_AR);

	clock_gettime(CLOCK_REALTIME, &ts);
	ev.code = code;
	ev.addr = addr;
	ev.lsb = lsb;
	ev.tid = (int)syscall(SYS_gettid);
	ev.vcpu = from_guest ? thread_vcpu : -1;
	ev.time_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	ev.vm = __atomic_load_n(&vm_generation, __ATOMIC_ACQUIRE);
	ev.synthetic = synthetic;
	ev.found = false;
	ev.held_ns = 0;
	ev.device = NULL;
	sigbus_ring_push(&ring, &ev);
	if (code == BUS_MCEERR_AR && from_guest)
		thread_ar++;
	wake();
	if (code == BUS_MCEERR_AR && !from_guest) {
		/* vmras's own load would only fault again on return; nothing can
		 * repair it. Leave the verdict (an event, then exit) to the
		 * handling thread and wait here for the end. That thread cannot
		 * wait for itself, though. */
		if (thread_is_handler) {
			static const char msg[] = "vmras: the memory-failure thread touched poisoned memory; exiting\n";
			(void)!write(2, msg, sizeof(msg) - 1);
			_exit(1);
		}
		park();
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

bool sigbus_intake_push(const struct sigbus_event *ev)
{
	bool ok = sigbus_ring_push(&ring, ev);

	wake();
	return ok;
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

void sigbus_set_vm_generation(unsigned vm)
{
	__atomic_store_n(&vm_generation, vm, __ATOMIC_RELEASE);
}

void sigbus_set_thread_in_guest(bool in_guest)
{
	thread_in_guest = in_guest;
}

typedef uint16_t __attribute__((may_alias)) u16_alias;
typedef uint32_t __attribute__((may_alias)) u32_alias;
typedef uint64_t __attribute__((may_alias)) u64_alias;

/* An aligned 2-, 4- or 8-byte value moves in one access: ring indices are
 * read and published this way, and the guest, on another CPU, must never
 * see half of one (memcpy promises nothing about how it copies). */
static void copy_whole(void *dst, const void *src, size_t len)
{
	uintptr_t both = (uintptr_t)dst | (uintptr_t)src;

	if (len == 2 && !(both & 1))
		__atomic_store_n((u16_alias *)dst, __atomic_load_n((const u16_alias *)src, __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
	else if (len == 4 && !(both & 3))
		__atomic_store_n((u32_alias *)dst, __atomic_load_n((const u32_alias *)src, __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
	else if (len == 8 && !(both & 7))
		__atomic_store_n((u64_alias *)dst, __atomic_load_n((const u64_alias *)src, __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
	else
		memcpy(dst, src, len);
}

/* No signal mask saved or restored: that is a system call each, and a
 * device copies descriptors by the thousand. The handler ran with SIGBUS
 * blocked, so a copy cut short unblocks it again; left blocked, the next
 * memory error on this thread would kill the process. */
int sigbus_guarded_copy(void *dst, const void *src, size_t len, struct sigbus_fault *fault)
{
	struct guard g;

	fault->hit = false;
	if (sigsetjmp(g.env, 0)) {
		sigset_t bus;

		sigemptyset(&bus);
		sigaddset(&bus, SIGBUS);
		pthread_sigmask(SIG_UNBLOCK, &bus, NULL);
		fault->hit = true;
		fault->addr = g.addr;
		fault->lsb = g.lsb;
		return -1;
	}
	thread_guard = &g;
	copy_whole(dst, src, len);
	thread_guard = NULL;
	return 0;
}

int sigbus_guarded(int (*fn)(void *arg), void *arg, struct sigbus_fault *fault)
{
	struct guard g;
	int rc;

	fault->hit = false;
	if (sigsetjmp(g.env, 1)) {
		/* The handler cleared thread_guard and restored the signal mask. */
		fault->hit = true;
		fault->addr = g.addr;
		fault->lsb = g.lsb;
		return -1;
	}
	thread_guard = &g;
	rc = fn(arg);
	thread_guard = NULL;
	return rc;
}
