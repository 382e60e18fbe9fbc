/* The arch seam: what the shared machine asks of the arch vmras was built
 * for. meson picks the arch from the host's cpu_family and points
 * VMRAS_ARCH_H at its header, src/<arch>/arch.h, which defines struct
 * machine_arch (the arch's part of struct machine, as kvmtool's struct
 * kvm_arch) and struct arch_mf_detail (its part of a memory-failure
 * decision). Each arch implements every hook below in its src/<arch>/arch_*.c
 * files, the only files of that folder built for that arch alone; the rest
 * of src/<arch> is pure and in the core library, with unit tests.
 *
 * The hooks run on the main thread unless said otherwise, and return 0, or
 * -1 with a one-line reason in why. */
#ifndef VMRAS_VMM_ARCH_H
#define VMRAS_VMM_ARCH_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include VMRAS_ARCH_H
#include "ras/verdict.h"

struct acpi_blob;
struct guest_ram;
struct machine;
struct memory_failure;
struct mf_event_arch;
struct qmp_cpu_model;
struct qmp_error;
struct qmp_mce;
struct vcpu;

/* Before KVM is opened: makes sense of the mapped kernel (m->kernel_file)
 * and the command line; a failure is the user's (a bad image, --append too
 * long). */
int arch_kernel_init(struct machine *m, char *why, size_t whylen);

/* After /dev/kvm is open: checks the KVM capabilities the arch needs beyond
 * the shared ones, reads what it needs from KVM once, and chooses the guest
 * CPU (from m->opts). */
int arch_machine_init(struct machine *m, char *why, size_t whylen);
/* Releases what arch_machine_init took. Safe on a zeroed machine_arch. */
void arch_machine_destroy(struct machine *m);

/* Where guest RAM of size bytes goes (regions, not yet backed). */
int arch_ram_layout(struct guest_ram *ram, uint64_t size);

/* Once, after RAM is mapped: puts the arch's devices on m->bus where its
 * guest expects them: the console UART (console_set_uart), the power
 * controls, pvpanic, the GED and, with --ras ghes|both, the GHES sources. */
int arch_devices_init(struct machine *m, char *why, size_t whylen);
/* QMP system_powerdown (vm_lock held, VM alive): presses the power button
 * the arch's guest knows. */
void arch_power_button(struct machine *m);

/* A new VM, right after KVM_CREATE_VM: its in-kernel devices and VM-wide settings. */
int arch_vm_init(struct machine *m, char *why, size_t whylen);
/* One vCPU, right after KVM_CREATE_VCPU, before the guest is loaded. */
int arch_vcpu_init(struct machine *m, struct vcpu *v, char *why, size_t whylen);

/* Every boot, vCPUs created: puts kernel, initrd, command line and tables
 * in guest RAM and sets the boot vCPU's registers. */
int arch_boot(struct machine *m, char *why, size_t whylen);

/* On the vCPU's thread: an exit the shared loop does not know. Returns 1 to
 * run on, 0 when the thread should stop (the arch made the request that
 * ends the run), -1 for an exit the arch does not know either. */
int arch_vcpu_exit(struct vcpu *v, struct kvm_run *run);

/* A memory-failure decision: the verdict every arch shares, which the RAS
 * path and the APEI plan read and may change, and what the arch adds to it
 * (struct arch_mf_detail, from VMRAS_ARCH_H), which only the arch reads. */
struct mf_decision {
	struct mf_verdict v;
	struct arch_mf_detail arch;
};

/* The RAS thread, vm_lock held: decides what the guest is told of one
 * failure. read_state: the VM is alive and the guest may be told, so the
 * arch may read the vCPUs' state (vcpu_run_on). Returns 0, or -1 when f
 * names no vCPU this machine has. */
int arch_mf_decide(struct machine *m, const struct memory_failure *f, bool read_state, struct mf_decision *d);
/* Tells the guest as decided (action inject, on d->v.cpu), VM alive;
 * returns 0 or an errno. */
int arch_mf_inject(struct machine *m, const struct mf_decision *d);
/* The MEMORY_FAILURE event's arch member for d (member NULL: none), given
 * how the guest was told: through the arch's own channel (x86: a machine
 * check), and whether a GHES record went to it (arm64's SEA rides on the
 * action-required record). */
void arch_mf_event(const struct mf_decision *d, bool arch_channel, bool ghes_record, struct mf_event_arch *out);
/* QMP inject-mce (checked here against the arch's machine): 0, or -1 with err set. */
int arch_qmp_inject_mce(struct machine *m, const struct qmp_mce *mce, struct qmp_error *err);

/* query-cpus-fast: the arch's "target" and per-CPU members, as QEMU reports them. */
const struct qmp_cpu_model *arch_qmp_cpu_model(void);
/* The firmware a guest boots through when --firmware is not given, or NULL
 * (a direct kernel boot). Called once, before the machine exists. */
const char *arch_default_firmware(void);

/* The firmware tables the guest boots with and --dump-acpi writes (see acpi/acpi.h). */
int arch_acpi_tables(unsigned ncpus, bool ghes, unsigned nvirtio, struct acpi_blob *out);

/* Where virtio-mmio device i sits: the base of its window (VIRTIO_MMIO_SIZE
 * bytes) and its level-triggered interrupt, as KVM_IRQ_LINE names it on
 * this arch. -1 when the machine has no slot i. */
int arch_virtio_place(unsigned i, uint64_t *base, unsigned *kvm_irq);

#endif
