#include "vmm/machine.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "qmp/error.h"
#include "ras/qmp_event.h"
#include "ras/verdict.h"
#include "vmm/event_sink.h"
#include "vmm/log.h"
#include "vmm/ras.h"
#include "vmm/ram_backing.h"
#include "vmm/sigbus.h"
#include "vmm/test_hooks.h"
#include "vmm/vcpu_loop.h"
#include "vmm/virtio_devices.h"

static void console_quit(void *opaque)
{
	machine_request(opaque, MACHINE_QUIT, "Ctrl-a x");
}

void machine_emit(struct json_object *event, const char *name)
{
	size_t len;
	char *line = event ? qmp_event_line(event, &len) : NULL;

	json_object_put(event);
	if (!line) {
		log_error("cannot encode a %s event (out of memory)", name);
		return;
	}
	event_sinks_emit(line, len);
	free(line);
}

/* Called with m->lock held. A transition outside the table is vmras's bug:
 * it is logged and the state kept, so query-status never says what the
 * table cannot explain. */
static bool set_state_locked(struct machine *m, enum run_state to)
{
	if (m->state == to)
		return true;
	if (!run_state_transition_allowed(m->state, to)) {
		log_error("bug: run state %s -> %s is not in the transition table; staying %s",
			  run_state_name(m->state), run_state_name(to), run_state_name(m->state));
		return false;
	}
	m->state = to;
	return true;
}

/* Called with m->lock held, and vm_lock unless on a vCPU thread (whose VM
 * cannot be torn down under it). */
static void hold_all(struct machine *m, bool held)
{
	for (unsigned i = 0; m->vcpus && i < m->ncpus; i++)
		if (m->vcpus[i].running)
			vcpu_hold(&m->vcpus[i], VCPU_HOLD_PAUSE, held);
}

void machine_request_cause(struct machine *m, enum machine_request req, enum shutdown_cause cause,
			   const char *why)
{
	pthread_mutex_lock(&m->lock);
	if (req > m->request) {
		m->request = req;
		snprintf(m->request_why, sizeof(m->request_why), "%s", why);
		/* Under the lock, so the main thread acts only after every sink has the event. */
		if (req == MACHINE_RESET)
			machine_emit(run_state_reset_event(cause, event_now_ns()), "RESET");
		if (req == MACHINE_QUIT || req == MACHINE_POWEROFF) {
			set_state_locked(m, RUN_STATE_SHUTDOWN);
			machine_emit(run_state_shutdown_event(cause, event_now_ns()), "SHUTDOWN");
		} else if (req == MACHINE_ERROR && m->state != RUN_STATE_SHUTDOWN) {
			set_state_locked(m, RUN_STATE_INTERNAL_ERROR);
		}
		pthread_cond_broadcast(&m->changed);
	}
	pthread_mutex_unlock(&m->lock);
}

void machine_request(struct machine *m, enum machine_request req, const char *why)
{
	enum shutdown_cause cause = req == MACHINE_RESET    ? SHUTDOWN_CAUSE_GUEST_RESET :
				    req == MACHINE_POWEROFF ? SHUTDOWN_CAUSE_GUEST_SHUTDOWN :
							      SHUTDOWN_CAUSE_HOST_QMP_QUIT;

	machine_request_cause(m, req, cause, why);
}

const char *machine_run_state(struct machine *m, bool *running)
{
	enum run_state s;

	pthread_mutex_lock(&m->lock);
	s = m->state;
	pthread_mutex_unlock(&m->lock);
	*running = run_state_is_running(s);
	return run_state_name(s);
}

int machine_stop(struct machine *m, struct qmp_error *err)
{
	(void)err;
	pthread_mutex_lock(&m->vm_lock);
	pthread_mutex_lock(&m->lock);
	if (m->state == RUN_STATE_RUNNING && set_state_locked(m, RUN_STATE_PAUSED)) {
		if (m->vm_alive)
			hold_all(m, true);
		machine_emit(run_state_stop_event(event_now_ns()), "STOP");
	}
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_unlock(&m->vm_lock);
	return 0;
}

int machine_cont(struct machine *m, struct qmp_error *err)
{
	int rc = 0;

	pthread_mutex_lock(&m->vm_lock);
	pthread_mutex_lock(&m->lock);
	if (run_state_needs_reset(m->state)) {
		qmp_error_set(err, QMP_ERR_GENERIC, "Resetting the Virtual Machine is required");
		rc = -1;
	} else if (m->state != RUN_STATE_RUNNING && set_state_locked(m, RUN_STATE_RUNNING)) {
		/* The event first: a client that sees RESUME may already see the guest's output. */
		machine_emit(run_state_resume_event(event_now_ns()), "RESUME");
		if (m->vm_alive)
			hold_all(m, false);
	}
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_unlock(&m->vm_lock);
	return rc;
}

int machine_system_reset(struct machine *m, struct qmp_error *err)
{
	(void)err;
	if (m->opts->machine_none) {
		pthread_mutex_lock(&m->lock);
		if (m->request == MACHINE_RUNNING) {
			machine_emit(run_state_reset_event(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET, event_now_ns()), "RESET");
			set_state_locked(m, run_state_after_reset(m->state));
		}
		pthread_mutex_unlock(&m->lock);
		return 0;
	}
	machine_request_cause(m, MACHINE_RESET, SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET, "system_reset requested over QMP");
	return 0;
}

int machine_system_powerdown(struct machine *m, struct qmp_error *err)
{
	(void)err;
	/* The event first, as QEMU: a client sees POWERDOWN before anything
	 * the guest does about the press. */
	machine_emit(run_state_powerdown_event(event_now_ns()), "POWERDOWN");
	if (m->opts->machine_none)
		return 0;
	/* Under vm_lock, so the line belongs to a VM that teardown cannot
	 * close meanwhile. A press between two VMs (a reset in progress) is
	 * lost, as a press during a real machine's reset would be. */
	pthread_mutex_lock(&m->vm_lock);
	if (m->vm_alive)
		arch_power_button(m);
	pthread_mutex_unlock(&m->vm_lock);
	return 0;
}

void machine_guest_panicked(struct machine *m)
{
	pthread_mutex_lock(&m->lock);
	if (m->state == RUN_STATE_RUNNING && set_state_locked(m, RUN_STATE_GUEST_PANICKED)) {
		hold_all(m, true);
		machine_emit(run_state_stop_event(event_now_ns()), "STOP");
	}
	pthread_mutex_unlock(&m->lock);
}

bool machine_stopping(struct machine *m)
{
	return __atomic_load_n(&m->request, __ATOMIC_ACQUIRE) != MACHINE_RUNNING;
}

/* Not the default: say where guest RAM is, so that an operator (or
 * vmras-poison --ram GPA:HVA:SIZE, for a file whose mapping has no vmras
 * name) can find it. */
static void describe_backing(const struct guest_ram *ram, const struct ram_backend *b)
{
	char name[96], page[16];

	if (b->kind == RAM_BACKEND_MEMFD)
		return;
	ram_backend_name(b, name, sizeof(name));
	for (unsigned i = 0; i < ram->count; i++) {
		const struct ram_region *r = &ram->region[i];

		log_info("guest RAM %s: 0x%llx+0x%llx at host address %p, offset 0x%llx of --memory-backend %s, "
			 "%s pages", r->name, (unsigned long long)r->gpa, (unsigned long long)r->size, (void *)r->hva,
			 (unsigned long long)r->offset, name, mf_size_name(ram_region_page_shift(r), page, sizeof(page)));
	}
}

int machine_init(struct machine *m, const struct vmras_options *opts, char *why, size_t whylen,
		 bool *usage_error)
{
	memset(m, 0, sizeof(*m));
	m->opts = opts;
	m->vm_fd = -1;
	m->kvm.fd = -1;
	m->ncpus = opts->cpus;
	m->state = opts->paused ? RUN_STATE_PRELAUNCH : RUN_STATE_RUNNING;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->changed, NULL);
	pthread_mutex_init(&m->vm_lock, NULL);
	pthread_cond_init(&m->vm_cond, NULL);
	*usage_error = true;
	if (opts->kernel && mapped_file_open(&m->kernel_file, opts->kernel, why, whylen))
		return -1;
	if (arch_kernel_init(m, why, whylen))
		return -1;
	if (opts->initrd && mapped_file_open(&m->initrd_file, opts->initrd, why, whylen))
		return -1;
	if (virtio_devices_open(m, why, whylen))
		return -1;

	*usage_error = false;
	/* Guest RAM before KVM: a backing the user got wrong (a file of
	 * another size) is reported as such, whatever else the host lacks. */
	if (arch_ram_layout(&m->ram, opts->memory)) {
		snprintf(why, whylen, "cannot lay out %llu MiB of guest RAM: %s",
			 (unsigned long long)(opts->memory >> 20), strerror(errno));
		return -1;
	}
	if (ram_backing_map(&m->ram, &opts->memory_backend, why, whylen, usage_error))
		return -1;
	describe_backing(&m->ram, &opts->memory_backend);
	if (kvm_system_open(&m->kvm, why, whylen) || arch_machine_init(m, why, whylen))
		return -1;
	m->vcpus = calloc(m->ncpus, sizeof(*m->vcpus));
	if (!m->vcpus) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < m->ncpus; i++)
		m->vcpus[i].kvm.fd = -1;

	if (ras_start(m, opts->early_kill, why, whylen))
		return -1;
	ras_scan_backing(m);
	test_hooks_setup(&m->ram);
	console_init(&m->console, console_quit, m);
	m->channels = opts->ras;
	if (arch_devices_init(m, why, whylen) || virtio_devices_start(m, why, whylen))
		return -1;
	if ((m->channels & RAS_MODE_GHES) && !(m->channels & RAS_MODE_MCE))
		ghes_dev_set_page_pace(&m->ghes, GHES_PACE_PAGE_ALONE_NS);
	return 0;
}

static int create_vcpu(struct machine *m, struct vcpu *v, char *why, size_t whylen)
{
	v->machine = m;
	if (kvm_vcpu_create(&m->kvm, m->vm_fd, v->index, &v->kvm)) {
		snprintf(why, whylen, "creating vCPU %u: %s", v->index, strerror(errno));
		return -1;
	}
	return arch_vcpu_init(m, v, why, whylen);
}

struct boot {
	struct machine *m;
	char *why;
	size_t whylen;
};

static int boot_once(void *arg)
{
	struct boot *b = arg;

	return arch_boot(b->m, b->why, b->whylen);
}

/* After a reset the reload writes over RAM the old guest used, where a
 * poisoned page nobody reported may still hide (the reset's scan finds
 * those the kernel marked, not one poisoned a moment later). Such a page
 * costs a replacement and a new try, never a thread parked for ever. */
#define RELOAD_TRIES 64

static int boot_guarded(struct machine *m, char *why, size_t whylen)
{
	struct boot b = { .m = m, .why = why, .whylen = whylen };

	for (unsigned i = 0; i < RELOAD_TRIES; i++) {
		struct sigbus_fault fault;
		int rc = sigbus_guarded(boot_once, &b, &fault);

		if (!fault.hit)
			return rc;
		if (ras_reload_fault(m, fault.addr, why, whylen))
			return -1;
	}
	snprintf(why, whylen, "reloading the guest's images met poisoned memory %d times in a row; giving up",
		 RELOAD_TRIES);
	return -1;
}

/* Builds a fresh VM over the existing RAM and puts the kernel in it. */
static int boot_vm(struct machine *m, char *why, size_t whylen)
{
	m->vm_fd = kvm_vm_create(&m->kvm, why, whylen);
	if (m->vm_fd < 0 || arch_vm_init(m, why, whylen))
		return -1;
	for (unsigned i = 0; i < m->ram.count; i++) {
		struct ram_region *r = &m->ram.region[i];
		if (kvm_vm_set_memory(m->vm_fd, r->slot, r->gpa, r->size, r->hva)) {
			snprintf(why, whylen, "KVM_SET_USER_MEMORY_REGION %s: %s", r->name, strerror(errno));
			return -1;
		}
	}
	for (unsigned i = 0; i < m->ncpus; i++)
		m->vcpus[i].index = i;
	for (unsigned i = 0; i < m->ncpus; i++)
		if (create_vcpu(m, &m->vcpus[i], why, whylen))
			return -1;
	if (boot_guarded(m, why, whylen))
		return -1;
	console_attach(&m->console, m->vm_fd);
	virtio_devices_attach(m, m->vm_fd);
	ged_reset(&m->ged);             /* a new machine has no press pending */
	if (m->channels & RAS_MODE_GHES) {
		/* Records for the guest that is gone concern pages now replaced. */
		unsigned lost = ghes_dev_reset(&m->ghes);
		if (lost)
			log_info("guest reset: %u GHES record%s the old guest never took dropped",
				 lost, lost == 1 ? "" : "s");
	}
	return 0;
}

static void teardown_vm(struct machine *m)
{
	for (unsigned i = 0; m->vcpus && i < m->ncpus; i++) {
		struct vcpu *v = &m->vcpus[i];
		if (v->running && v->kvm.run)
			vcpu_stop(v);
	}
	for (unsigned i = 0; m->vcpus && i < m->ncpus; i++) {
		struct vcpu *v = &m->vcpus[i];
		if (v->running)
			pthread_join(v->thread, NULL);
		v->running = false;
	}
	/* The RAS thread may be using the vCPUs; wait for it before closing them. */
	pthread_mutex_lock(&m->vm_lock);
	m->vm_alive = false;
	pthread_mutex_unlock(&m->vm_lock);
	console_detach(&m->console);
	virtio_devices_detach(m);
	for (unsigned i = 0; m->vcpus && i < m->ncpus; i++)
		kvm_vcpu_close(&m->vcpus[i].kvm);
	if (m->vm_fd >= 0)
		close(m->vm_fd);
	m->vm_fd = -1;
}

static int wait_for_request(struct machine *m)
{
	enum machine_request req;

	pthread_mutex_lock(&m->lock);
	while (m->request == MACHINE_RUNNING)
		pthread_cond_wait(&m->changed, &m->lock);
	req = m->request;
	pthread_mutex_unlock(&m->lock);
	return req;
}

int machine_run(struct machine *m)
{
	char why[256];

	if (console_start(&m->console)) {
		log_error("cannot start the console: %s", strerror(errno));
		return 1;
	}
	for (;;) {
		enum machine_request req;
		unsigned hold;

		m->boots++;
		/* Reports from now on concern this VM (see ras.c). */
		sigbus_set_vm_generation(m->boots);
		if (boot_vm(m, why, sizeof(why))) {
			log_error("%s", why);
			teardown_vm(m);
			return 1;
		}
		pthread_mutex_lock(&m->lock);
		hold = run_state_is_running(m->state) ? 0 : VCPU_HOLD_PAUSE;
		pthread_mutex_unlock(&m->lock);
		if (vcpu_loop_start_all(m, hold)) {
			teardown_vm(m);
			return 1;
		}
		pthread_mutex_lock(&m->vm_lock);
		m->vm_alive = true;
		/* A stop that came while the vCPUs were starting found none to hold. */
		pthread_mutex_lock(&m->lock);
		if (!run_state_is_running(m->state))
			hold_all(m, true);
		pthread_mutex_unlock(&m->lock);
		pthread_cond_broadcast(&m->vm_cond);
		pthread_mutex_unlock(&m->vm_lock);
		req = wait_for_request(m);
		teardown_vm(m);
		switch (req) {
		case MACHINE_RESET:
			log_info("guest reset (%s)", m->request_why);
			/* Devices first: no request of the old guest's may write
			 * into RAM that is being replaced or reloaded. */
			virtio_devices_reset(m);
			ras_replace_poisoned(m);
			pthread_mutex_lock(&m->lock);
			m->request = MACHINE_RUNNING;
			set_state_locked(m, run_state_after_reset(m->state));
			pthread_mutex_unlock(&m->lock);
			continue;
		case MACHINE_POWEROFF:
			return 0;
		case MACHINE_QUIT:
			log_info("%s", m->request_why);
			return 0;
		default:
			log_error("%s", m->request_why);
			return 1;
		}
	}
}

void machine_init_none(struct machine *m, const struct vmras_options *opts)
{
	memset(m, 0, sizeof(*m));
	m->opts = opts;
	m->vm_fd = -1;
	m->kvm.fd = -1;
	/* As qemu -machine none: running, or prelaunch with -S; stop and cont
	 * change the state though there is nothing to hold. */
	m->state = opts->paused ? RUN_STATE_PRELAUNCH : RUN_STATE_RUNNING;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->changed, NULL);
	pthread_mutex_init(&m->vm_lock, NULL);
	pthread_cond_init(&m->vm_cond, NULL);
}

int machine_run_none(struct machine *m)
{
	enum machine_request req = wait_for_request(m);

	log_info("%s", m->request_why);
	return req == MACHINE_ERROR ? 1 : 0;
}

void machine_destroy(struct machine *m)
{
	teardown_vm(m);
	virtio_devices_destroy(m);
	ram_backing_unmap(&m->ram);
	mapped_file_close(&m->kernel_file);
	mapped_file_close(&m->initrd_file);
	arch_machine_destroy(m);
	kvm_system_close(&m->kvm);
	free(m->vcpus);
	m->vcpus = NULL;
}
