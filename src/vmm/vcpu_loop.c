#include "vmm/vcpu_loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmm/arch.h"
#include "vmm/log.h"
#include "vmm/machine.h"
#include "vmm/sigbus.h"

static void kick_handler(int sig)
{
	(void)sig;  /* its only job is to make KVM_RUN return EINTR */
}

static void io_exit(struct vcpu *v, struct kvm_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

	/* String I/O (rep outsb/insb) arrives as count consecutive accesses. */
	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size)
		bus_dispatch(&v->machine->bus, BUS_IO, run->io.port, is_write, data, run->io.size);
}

static void fatal(struct vcpu *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fatal(struct vcpu *v, const char *fmt, ...)
{
	char msg[160], why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(why, sizeof(why), "vCPU %u: %s", v->index, msg);
	machine_request(v->machine, MACHINE_ERROR, why);
}

/* Returns false when the thread should stop. */
static bool handle_exit(struct vcpu *v, struct kvm_run *run)
{
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		io_exit(v, run);
		return true;
	case KVM_EXIT_MMIO:
		/* Unowned addresses: reads float high, writes vanish (the bus does both). */
		bus_dispatch(&v->machine->bus, BUS_MMIO, run->mmio.phys_addr, run->mmio.is_write, run->mmio.data,
			     run->mmio.len);
		return true;
	case KVM_EXIT_INTR:
	case KVM_EXIT_HLT:
		return true;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN) {
			machine_request(v->machine, MACHINE_POWEROFF, "system event: shutdown");
			return false;
		}
		if (run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
			machine_request(v->machine, MACHINE_RESET, "system event: reset");
			return false;
		}
		fatal(v, "unexpected system event %u", run->system_event.type);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		fatal(v, "VM entry failed, hardware reason 0x%llx",
		      (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		fatal(v, "KVM internal error, suberror %u", run->internal.suberror);
		return false;
	default:
		switch (arch_vcpu_exit(v, run)) {
		case 1:
			return true;
		case 0:
			return false;
		}
		fatal(v, "unhandled KVM exit reason %u", run->exit_reason);
		return false;
	}
}

void vcpu_init_sync(struct vcpu *v)
{
	pthread_mutex_init(&v->work_lock, NULL);
	pthread_cond_init(&v->work_cond, NULL);
	pthread_mutex_init(&v->caller_lock, NULL);
	v->work_fn = NULL;
	v->thread_done = false;
	v->ar_taken = v->ar_done = 0;
	v->held = 0;
}

void vcpu_kick(struct vcpu *v)
{
	/* immediate_exit first, then the signal: a vCPU about to enter
	 * KVM_RUN leaves at once, one inside it is kicked out. */
	__atomic_store_n(&v->kvm.run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(v->thread, VCPU_KICK_SIGNAL);
}

void vcpu_stop(struct vcpu *v)
{
	pthread_mutex_lock(&v->work_lock);
	pthread_cond_broadcast(&v->work_cond);
	pthread_mutex_unlock(&v->work_lock);
	vcpu_kick(v);
}

/* Called with work_lock held. */
static void serve_work_locked(struct vcpu *v)
{
	if (v->work_fn) {
		v->work_fn(v, v->work_arg);
		v->work_fn = NULL;
		pthread_cond_broadcast(&v->work_cond);
	}
}

void vcpu_run_on(struct vcpu *v, vcpu_work_fn fn, void *arg)
{
	if (v->running && pthread_equal(pthread_self(), v->thread)) {
		fn(v, arg);
		return;
	}
	pthread_mutex_lock(&v->caller_lock);
	pthread_mutex_lock(&v->work_lock);
	if (!v->running || v->thread_done) {
		fn(v, arg);
	} else {
		v->work_fn = fn;
		v->work_arg = arg;
		/* The vCPU is in KVM_RUN (the kick gets it out) or parked
		 * between runs (the broadcast wakes it). */
		pthread_cond_broadcast(&v->work_cond);
		vcpu_kick(v);
		while (v->work_fn)
			pthread_cond_wait(&v->work_cond, &v->work_lock);
	}
	pthread_mutex_unlock(&v->work_lock);
	pthread_mutex_unlock(&v->caller_lock);
}

void vcpu_hold(struct vcpu *v, unsigned reason, bool held)
{
	pthread_mutex_lock(&v->work_lock);
	if (held)
		v->held |= reason;
	else
		v->held &= ~reason;
	pthread_cond_broadcast(&v->work_cond);
	pthread_mutex_unlock(&v->work_lock);
	if (held)
		vcpu_kick(v);
}

void vcpu_ar_done(struct vcpu *v)
{
	pthread_mutex_lock(&v->work_lock);
	v->ar_done++;
	pthread_cond_broadcast(&v->work_cond);
	pthread_mutex_unlock(&v->work_lock);
}

/* Between two KVM_RUNs: do what other threads asked, and if this vCPU took
 * an action-required memory error, do not run the guest again until the RAS
 * thread has handled it (the guest would only touch the poison again). */
static void between_runs(struct vcpu *v)
{
	unsigned ar = sigbus_thread_take_ar();

	pthread_mutex_lock(&v->work_lock);
	v->ar_taken += ar;
	for (;;) {
		serve_work_locked(v);
		if ((v->ar_done >= v->ar_taken && !v->held) || machine_stopping(v->machine))
			break;
		pthread_cond_wait(&v->work_cond, &v->work_lock);
	}
	/* Re-arm KVM_RUN, then look at the stop flag once more (in the loop
	 * condition): a stop requested after this store also sets it again. */
	__atomic_store_n(&v->kvm.run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&v->work_lock);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct kvm_run *run = v->kvm.run;
	char name[16];

	__atomic_store_n(&v->tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	snprintf(name, sizeof(name), "vcpu%u", v->index);
	pthread_setname_np(pthread_self(), name);
	sigbus_set_thread_vcpu((int)v->index);
	/* A vCPU started held (prelaunch) waits before its first KVM_RUN. */
	between_runs(v);
	while (!machine_stopping(v->machine)) {
		int rc;

		sigbus_set_thread_in_guest(true);
		rc = ioctl(v->kvm.fd, KVM_RUN, 0);
		sigbus_set_thread_in_guest(false);
		if (rc < 0) {
			if (errno != EINTR && errno != EAGAIN) {
				fatal(v, "KVM_RUN: %s", strerror(errno));
				break;
			}
		} else if (!handle_exit(v, run)) {
			break;
		}
		between_runs(v);
	}
	/* Whoever still waits on this vCPU gets its work done now. */
	pthread_mutex_lock(&v->work_lock);
	v->thread_done = true;
	serve_work_locked(v);
	pthread_cond_broadcast(&v->work_cond);
	pthread_mutex_unlock(&v->work_lock);
	return NULL;
}

int vcpu_loop_start_all(struct machine *m, unsigned hold)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	int err;

	/* No SA_RESTART: the point is to break KVM_RUN. */
	sigemptyset(&sa.sa_mask);
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
	for (unsigned i = 0; i < m->ncpus; i++) {
		struct vcpu *v = &m->vcpus[i];
		vcpu_init_sync(v);
		v->held = hold;
		__atomic_store_n(&v->tid, 0, __ATOMIC_RELEASE);
		err = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (err) {
			log_error("cannot start vCPU %u: %s", i, strerror(err));
			machine_request(m, MACHINE_ERROR, "vCPU thread creation failed");
			return -1;
		}
		v->running = true;
	}
	return 0;
}
