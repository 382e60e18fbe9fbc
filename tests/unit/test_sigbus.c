/* The SIGBUS intake with real signals: memory errors queued with
 * rt_tgsigqueueinfo (accepted by any kernel when sent to oneself) are
 * recorded with their address, extent and thread, wake the eventfd, and
 * flag action-required on the thread that took them; any other SIGBUS keeps
 * its default meaning and kills the process. */
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "vmm/sigbus.h"

#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR 4
#define BUS_MCEERR_AO 5
#endif

static void send_sigbus(int code, void *addr, short lsb)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = SIGBUS;
	si.si_code = code;
	si.si_addr = addr;
	si.si_addr_lsb = lsb;
	assert_int_equal(syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), SIGBUS, &si), 0);
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0) == 1;
}

/* cmocka installs its own SIGBUS handler around every test (and fixture),
 * so each test arms ours itself. */
static void arm(void)
{
	assert_int_equal(sigbus_intake_install(), 0);
}

static void test_action_optional_recorded(void **state)
{
	struct sigbus_event ev;
	(void)state;
	arm();

	sigbus_set_thread_vcpu(-1);
	assert_false(readable(sigbus_intake_eventfd()));
	send_sigbus(BUS_MCEERR_AO, (void *)0x7f0000201000, 12);
	assert_true(readable(sigbus_intake_eventfd()));
	assert_int_equal(sigbus_thread_take_ar(), 0);
	assert_true(sigbus_intake_take(&ev));
	assert_int_equal(ev.code, BUS_MCEERR_AO);
	assert_int_equal(ev.addr, 0x7f0000201000);
	assert_int_equal(ev.lsb, 12);
	assert_int_equal(ev.tid, syscall(SYS_gettid));
	assert_int_equal(ev.vcpu, -1);
	assert_true(ev.time_ns > 1600000000ull * 1000000000ull);
	assert_false(sigbus_intake_take(&ev));
	assert_false(readable(sigbus_intake_eventfd()));
}

/* Leaves 0xff bytes on the stack below the caller's frame, where the
 * handler's frame will be. */
static __attribute__((noinline)) void dirty_stack(void)
{
	volatile unsigned char junk[16384];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = 0xff;
}

/* A kernel's report is neither a page a scan found nor a machine check
 * held back: the handler says so, whatever its stack held (a report
 * taken for "found" was once neither counted nor told as a report). */
static void test_report_not_found_nor_held(void **state)
{
	struct sigbus_event ev;
	(void)state;
	arm();

	sigbus_set_thread_vcpu(-1);
	for (int i = 0; i < 3; i++) {
		dirty_stack();
		send_sigbus(BUS_MCEERR_AO, (void *)0x7f0000203000, 12);
		assert_true(sigbus_intake_take(&ev));
		assert_false(ev.found);
		assert_int_equal(ev.held_ns, 0);
		assert_false(ev.synthetic);
	}
	assert_false(sigbus_intake_take(&ev));
}

static void test_action_required_flags_the_vcpu_thread(void **state)
{
	struct sigbus_event ev;
	(void)state;
	arm();

	sigbus_set_thread_vcpu(3);
	sigbus_set_thread_in_guest(true);   /* as KVM delivers it: KVM_RUN returning */
	sigbus_set_vm_generation(7);
	send_sigbus(BUS_MCEERR_AR, (void *)0x7f0040000000, 21);  /* a 2 MiB hugepage */
	assert_int_equal(sigbus_thread_take_ar(), 1);
	assert_int_equal(sigbus_thread_take_ar(), 0);  /* once */
	send_sigbus(BUS_MCEERR_AR, (void *)0x7f0040000000, 21);
	send_sigbus(BUS_MCEERR_AR, (void *)0x7f0040200000, 21);
	assert_int_equal(sigbus_thread_take_ar(), 2);
	for (int i = 0; i < 2; i++)
		assert_true(sigbus_intake_take(&ev));
	assert_true(sigbus_intake_take(&ev));
	assert_int_equal(ev.code, BUS_MCEERR_AR);
	assert_int_equal(ev.lsb, 21);
	assert_int_equal(ev.vcpu, 3);
	assert_int_equal(ev.vm, 7);
	assert_false(ev.synthetic);
	sigbus_set_thread_in_guest(false);
	sigbus_set_vm_generation(0);
	sigbus_set_thread_vcpu(-1);
}

/* An action-optional report to a vCPU thread outside KVM_RUN is still the
 * guest's page, reported with the vCPU; it never parks the thread. */
static void test_action_optional_on_a_vcpu_outside_the_guest(void **state)
{
	struct sigbus_event ev;
	(void)state;
	arm();

	sigbus_set_thread_vcpu(1);
	send_sigbus(BUS_MCEERR_AO, (void *)0x7f0000201000, 12);
	assert_int_equal(sigbus_thread_take_ar(), 0);
	assert_true(sigbus_intake_take(&ev));
	assert_int_equal(ev.vcpu, 1);
	sigbus_set_thread_vcpu(-1);
}

/* A vCPU thread's own load of poisoned memory outside KVM_RUN (before:
 * recorded as the guest's, the handler returned, the load faulted again at
 * once, for ever) parks the thread like any other vmras thread's load. */
static void test_vcpu_own_load_parks(void **state)
{
	int status;
	pid_t pid;
	(void)state;
	arm();

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sigbus_set_thread_vcpu(2);
		send_sigbus(BUS_MCEERR_AR, (void *)0x7f0000201000, 12);
		_exit(3);  /* not reached: the thread waits for a verdict */
	}
	usleep(300 * 1000);
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0);   /* still parked */
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
}

static int copy_into(void *arg)
{
	memcpy(arg, "vmras", 6);
	return 42;
}

static int copy_and_fault(void *arg)
{
	send_sigbus(BUS_MCEERR_AR, arg, 12);
	return 42;   /* not reached: the guard cuts the call short */
}

/* The reload after a reset runs guarded: poison it touches comes back to
 * the caller as a fault, is not recorded and does not park the thread
 * (before: the main thread parked for ever, and vmras hung). */
static void test_guarded_call(void **state)
{
	struct sigbus_fault fault;
	struct sigbus_event ev;
	char buf[8];
	sigset_t mask;
	(void)state;
	arm();

	sigbus_set_thread_vcpu(-1);
	assert_int_equal(sigbus_guarded(copy_into, buf, &fault), 42);
	assert_false(fault.hit);
	assert_string_equal(buf, "vmras");

	assert_int_equal(sigbus_guarded(copy_and_fault, (void *)0x7f0000777000, &fault), -1);
	assert_true(fault.hit);
	assert_int_equal(fault.addr, 0x7f0000777000);
	assert_int_equal(fault.lsb, 12);
	assert_false(sigbus_intake_take(&ev));
	assert_int_equal(sigbus_thread_take_ar(), 0);
	/* SIGBUS is not left blocked by the jump out of the handler. */
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &mask), 0);
	assert_false(sigismember(&mask, SIGBUS));

	/* Twice in a row: the guard is armed afresh each call. */
	assert_int_equal(sigbus_guarded(copy_and_fault, (void *)0x7f0000778000, &fault), -1);
	assert_true(fault.hit);
	assert_int_equal(fault.addr, 0x7f0000778000);

	/* Outside a guarded call, an action-optional report is recorded as ever. */
	send_sigbus(BUS_MCEERR_AO, (void *)0x7f0000779000, 12);
	assert_true(sigbus_intake_take(&ev));
	assert_int_equal(ev.addr, 0x7f0000779000);
}

/* Stands in for poison the build machine's kernel cannot make: the touch
 * of a PROT_NONE page queues an action-required SIGBUS for it, which the
 * kernel delivers as this handler returns, before the load runs again. */
static void segv_as_poison(int sig, siginfo_t *si, void *uc)
{
	siginfo_t bus;
	(void)sig;
	(void)uc;

	memset(&bus, 0, sizeof(bus));
	bus.si_signo = SIGBUS;
	bus.si_code = BUS_MCEERR_AR;
	bus.si_addr = (void *)((uintptr_t)si->si_addr & ~(uintptr_t)0xfff);
	bus.si_addr_lsb = 12;
	syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), SIGBUS, &bus);
}

/* A device model's copy from guest memory: a poisoned page inside memcpy
 * ends the copy with the page's address, records nothing, and leaves
 * SIGBUS unblocked (the guard saves no signal mask; a SIGBUS left blocked
 * would make the next memory error kill vmras). */
static void test_guarded_copy(void **state)
{
	struct sigaction sa = { .sa_sigaction = segv_as_poison, .sa_flags = SA_SIGINFO }, old;
	struct sigbus_fault fault;
	struct sigbus_event ev;
	uint8_t *mem = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t out[2 * 4096];
	sigset_t mask;
	(void)state;
	arm();

	assert_true(mem != MAP_FAILED);
	memset(mem, 0x5a, 3 * 4096);
	assert_int_equal(sigbus_guarded_copy(out, mem + 100, 2 * 4096, &fault), 0);
	assert_false(fault.hit);
	assert_int_equal(out[0], 0x5a);
	assert_int_equal(out[2 * 4096 - 1], 0x5a);
	/* Ring-sized values, aligned (one access each) and not. */
	for (size_t len = 1; len <= 8; len++)
		for (size_t off = 0; off < 3; off++) {
			uint64_t word = 0, want = 0;

			for (size_t k = 0; k < len; k++)
				mem[64 + off + k] = (uint8_t)(0x11 * (k + 1));
			memcpy(&want, mem + 64 + off, len);
			assert_int_equal(sigbus_guarded_copy(&word, mem + 64 + off, len, &fault), 0);
			assert_int_equal(word, want);
			assert_int_equal(sigbus_guarded_copy(mem + 128 + off, &word, len, &fault), 0);
			assert_memory_equal(mem + 128 + off, mem + 64 + off, len);
		}

	/* SIGBUS held while the stand-in runs: it must land on the load, as
	 * a real one does, not on the stand-in's own system call (a jump from
	 * there would leave SIGSEGV blocked). */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGBUS);
	assert_int_equal(sigaction(SIGSEGV, &sa, &old), 0);
	assert_int_equal(mprotect(mem + 4096, 4096, PROT_NONE), 0);
	for (int i = 0; i < 3; i++) {
		memset(out, 0, sizeof(out));
		assert_int_equal(sigbus_guarded_copy(out, mem + 100, 2 * 4096, &fault), -1);
		assert_true(fault.hit);
		assert_int_equal(fault.addr, (uintptr_t)(mem + 4096));
		assert_int_equal(fault.lsb, 12);
		assert_false(sigbus_intake_take(&ev));
		assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &mask), 0);
		assert_false(sigismember(&mask, SIGBUS));
	}
	/* Into guest memory too. */
	assert_int_equal(sigbus_guarded_copy(mem + 4000, out, 200, &fault), -1);
	assert_int_equal(fault.addr, (uintptr_t)(mem + 4096));
	assert_int_equal(sigaction(SIGSEGV, &old, NULL), 0);
	/* And the intake works as ever afterwards. */
	send_sigbus(BUS_MCEERR_AO, (void *)0x7f000077a000, 12);
	assert_true(sigbus_intake_take(&ev));
	assert_int_equal(ev.addr, 0x7f000077a000);
	assert_null(ev.device);
	munmap(mem, 3 * 4096);
}

/* A device's report goes through the intake as a signal's would, with its
 * device named and the eventfd woken. */
static void test_device_report_pushed(void **state)
{
	struct sigbus_event ev = { .code = BUS_MCEERR_AO, .addr = 0x7f000077b000, .lsb = 12, .vcpu = -1,
				   .device = "virtio-blk0" };
	(void)state;
	arm();

	while (sigbus_intake_take(&ev))
		;
	ev.addr = 0x7f000077b000;
	assert_true(sigbus_intake_push(&ev));
	assert_true(readable(sigbus_intake_eventfd()));
	memset(&ev, 0, sizeof(ev));
	assert_true(sigbus_intake_take(&ev));
	assert_int_equal(ev.addr, 0x7f000077b000);
	assert_string_equal(ev.device, "virtio-blk0");
	assert_false(sigbus_intake_take(&ev));
}

static void test_burst_keeps_order(void **state)
{
	struct sigbus_event ev;
	(void)state;
	arm();

	for (uintptr_t i = 0; i < 100; i++)
		send_sigbus(BUS_MCEERR_AO, (void *)(0x10000000 + (i << 12)), 12);
	for (uintptr_t i = 0; i < 100; i++) {
		assert_true(sigbus_intake_take(&ev));
		assert_int_equal(ev.addr, 0x10000000 + (i << 12));
	}
	assert_false(sigbus_intake_take(&ev));
	assert_int_equal(sigbus_intake_dropped(), 0);
}

static void test_other_sigbus_keeps_default_meaning(void **state)
{
	int status;
	pid_t pid;
	(void)state;
	arm();

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		send_sigbus(2 /* BUS_ADRERR */, (void *)0x1000, 0);
		_exit(0);  /* not reached: the default action kills the child */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGBUS);
}

struct queue_arg {
	pthread_t target;
	void *page;
	bool ar;
	int rc;
};

static void *queue_from_other_thread(void *arg)
{
	struct queue_arg *q = arg;
	q->rc = sigbus_queue_synthetic(q->target, q->page, q->ar);
	return NULL;
}

/* Waits until the queued signal has been taken by this thread. */
static void queue_and_wait(void *page, bool ar)
{
	struct queue_arg q = { .target = pthread_self(), .page = page, .ar = ar };
	struct pollfd p = { .fd = sigbus_intake_eventfd(), .events = POLLIN };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, queue_from_other_thread, &q), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(q.rc, 0);
	for (int i = 0; i < 100 && !readable(p.fd); i++)
		poll(&p, 1, 10);
	assert_true(readable(p.fd));
}

/* vmras queues synthetic reports to itself from a thread that is not the
 * main one: they arrive as SI_QUEUE and must be taken as the real thing. */
static void test_synthetic_report_from_another_thread(void **state)
{
	struct sigbus_event ev;
	(void)state;
	arm();

	sigbus_set_thread_vcpu(-1);
	queue_and_wait((void *)0x7f0000345000, false);
	assert_int_equal(sigbus_thread_take_ar(), 0);
	assert_true(sigbus_intake_take(&ev));
	assert_int_equal(ev.code, BUS_MCEERR_AO);
	assert_int_equal(ev.addr, 0x7f0000345000);
	assert_int_equal(ev.lsb, 12);
	assert_int_equal(ev.vcpu, -1);

	sigbus_set_thread_vcpu(0);
	queue_and_wait((void *)0x7f0000346000, true);
	assert_int_equal(sigbus_thread_take_ar(), 1);
	assert_true(sigbus_intake_take(&ev));
	assert_int_equal(ev.code, BUS_MCEERR_AR);
	assert_int_equal(ev.addr, 0x7f0000346000);
	assert_int_equal(ev.vcpu, 0);
	assert_true(ev.synthetic);
	assert_false(sigbus_intake_take(&ev));
	sigbus_set_thread_vcpu(-1);
}

/* Another process can sigqueue() a SIGBUS too: that is no memory error, and
 * it keeps its default meaning. */
static void test_foreign_queued_sigbus_keeps_default_meaning(void **state)
{
	int status;
	pid_t pid;
	(void)state;
	arm();

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pid_t me = getpid(), helper = fork();
		if (helper == 0) {
			union sigval v = { .sival_ptr = (void *)0x7f0000345000 };
			sigqueue(me, SIGBUS, v);
			_exit(0);
		}
		for (int i = 0; i < 500; i++)
			usleep(10000);
		_exit(0);  /* not reached: the default action kills this child */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGBUS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_action_optional_recorded),
		cmocka_unit_test(test_report_not_found_nor_held),
		cmocka_unit_test(test_action_required_flags_the_vcpu_thread),
		cmocka_unit_test(test_action_optional_on_a_vcpu_outside_the_guest),
		cmocka_unit_test(test_vcpu_own_load_parks),
		cmocka_unit_test(test_guarded_call),
		cmocka_unit_test(test_guarded_copy),
		cmocka_unit_test(test_device_report_pushed),
		cmocka_unit_test(test_burst_keeps_order),
		cmocka_unit_test(test_other_sigbus_keeps_default_meaning),
		cmocka_unit_test(test_synthetic_report_from_another_thread),
		cmocka_unit_test(test_foreign_queued_sigbus_keeps_default_meaning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
