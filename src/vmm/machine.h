/* One virtual machine: its RAM (kept across resets), the KVM VM and
 * vCPUs (rebuilt at every reset), the devices, and the requests that end a
 * run: poweroff, reset, quit or a fatal error. */
#ifndef VMRAS_VMM_MACHINE_H
#define VMRAS_VMM_MACHINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/ged.h"
#include "devices/ghes.h"
#include "devices/bus.h"
#include "devices/pvpanic.h"
#include "kvm/kvm.h"
#include "qmp/runstate.h"
#include "vmm/arch.h"
#include "vmm/cli.h"
#include "vmm/console.h"
#include "vmm/files.h"
#include "vmm/guest_ram.h"
#include "vmm/vcpu_loop.h"

enum machine_request {
	MACHINE_RUNNING = 0,
	MACHINE_RESET,        /* the guest (or a triple fault) asked for a reset */
	MACHINE_POWEROFF,     /* the guest powered off */
	MACHINE_QUIT,         /* the user or a signal ended vmras */
	MACHINE_ERROR,        /* KVM failed; vmras exits 1 */
};

struct machine;

struct vcpu {
	struct machine *machine;
	unsigned index;
	struct kvm_vcpu_fd kvm;
	pthread_t thread;
	int tid;                      /* its host thread id, once it has started (0 before): query-cpus-fast */
	bool running;

	pthread_mutex_t work_lock;
	pthread_cond_t work_cond;
	pthread_mutex_t caller_lock;  /* one vcpu_run_on at a time per vCPU */
	vcpu_work_fn work_fn;         /* pending work, or NULL */
	void *work_arg;
	bool thread_done;             /* the thread has left its loop */
	uint64_t ar_taken;            /* action-required SIGBUS taken by this vCPU */
	uint64_t ar_done;             /* ... of which the RAS thread has finished */
	unsigned held;                /* why it is kept out of the guest: VCPU_HOLD_* bits */
};

struct machine {
	const struct vmras_options *opts;
	struct kvm_system kvm;
	struct guest_ram ram;
	struct mapped_file kernel_file, initrd_file;
	struct machine_arch arch;     /* the arch's own part (src/vmm/arch.h) */
	/* How this machine can tell its guest of a memory error: --ras, less
	 * the channels the arch does not have (arch_devices_init). */
	enum ras_mode channels;

	int vm_fd;
	unsigned ncpus;
	struct vcpu *vcpus;
	struct bus bus;
	struct pvpanic pvpanic;
	struct ged ged;               /* the power button's event register (ACPI GED) */
	struct ghes_dev ghes;         /* APEI error sources (--ras ghes|both) */
	struct console console;
	struct virtio_devices *virtio; /* --disk: vmm/virtio_devices.c; NULL for none */
	unsigned nvirtio;

	/* Whether vcpus[] and vm_fd describe a running VM. The RAS thread
	 * works on vCPUs only under vm_lock with vm_alive set; teardown clears
	 * it (under the lock) before closing anything. */
	pthread_mutex_t vm_lock;
	pthread_cond_t vm_cond;
	bool vm_alive;
	struct ras *ras;

	pthread_mutex_t lock;
	pthread_cond_t changed;
	enum machine_request request;
	char request_why[160];
	enum run_state state;         /* changed only through the run-state table */
	unsigned boots;
};

/* Opens KVM, maps RAM, reads the images. Returns 0, or -1 with a reason;
 * *usage_error tells whether the reason is the user's (exit 2) or the host's (exit 1). */
int machine_init(struct machine *m, const struct vmras_options *opts, char *why, size_t whylen,
		 bool *usage_error);
/* Boots and runs until poweroff, quit or error; resets in between. Returns the exit status. */
int machine_run(struct machine *m);
void machine_destroy(struct machine *m);

/* --machine none: no guest and no KVM, only the requests, so that QMP quit
 * and the signal thread end the process as they end a VM. machine_run_none
 * waits for that and returns the exit status; machine_destroy is not needed. */
void machine_init_none(struct machine *m, const struct vmras_options *opts);
int machine_run_none(struct machine *m);

/* Any thread: asks the machine to stop for req. A later request never
 * downgrades an earlier one (an error beats a quit beats a poweroff beats a reset).
 * A request that takes effect is announced before anything acts on it: RESET
 * for a reset, SHUTDOWN for a quit or poweroff, with cause as the reason.
 * machine_request gives the guest's causes (guest-reset, guest-shutdown) and
 * host-qmp-quit for a quit (QEMU's Ctrl-a x says that too). */
void machine_request(struct machine *m, enum machine_request req, const char *why);
void machine_request_cause(struct machine *m, enum machine_request req, enum shutdown_cause cause,
			   const char *why);
bool machine_stopping(struct machine *m);

struct json_object;
struct qmp_error;

/* Hands a QMP event to every sink and releases it (NULL: out of memory, logged). */
void machine_emit(struct json_object *event, const char *name);

/* The run state (QEMU's name) and whether the guest runs: query-status. */
const char *machine_run_state(struct machine *m, bool *running);
/* QMP stop and cont, as QEMU's: stop pauses a running VM (STOP), cont runs
 * a prelaunch or paused one (RESUME) and refuses one that needs a reset.
 * Return 0, or -1 with err set. Not for vCPU threads (they take vm_lock). */
int machine_stop(struct machine *m, struct qmp_error *err);
int machine_cont(struct machine *m, struct qmp_error *err);
/* QMP system_reset: RESET {guest: false}, then a reset as the guest's own.
 * With --machine none only the event and the run state change, as in QEMU. */
int machine_system_reset(struct machine *m, struct qmp_error *err);
/* QMP system_powerdown: POWERDOWN, then the power button's GED event.
 * With --machine none only the event, as in QEMU. */
int machine_system_powerdown(struct machine *m, struct qmp_error *err);
/* A vCPU thread, on a pvpanic panic with --on-panic pause: state
 * guest-panicked, every vCPU held, STOP. */
void machine_guest_panicked(struct machine *m);

#endif
