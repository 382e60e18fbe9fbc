/* x86's devices on the bus: COM1 as the console, the ACPI power and reset
 * ports, pvpanic on its ISA port, the GED and the GHES error sources, and
 * how the GED and GHES reach the guest (GSI 9, NMI). */
#include "vmm/arch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "acpi/hest.h"
#include "vmm/log.h"
#include "vmm/machine.h"
#include "vmm/panic.h"
#include "x86/arch_kvm.h"
#include "x86/layout.h"

static void power_request(void *opaque, enum power_request req, const char *why)
{
	machine_request(opaque, req == POWER_REQUEST_OFF ? MACHINE_POWEROFF : MACHINE_RESET, why);
}

struct nmi_arg { int err; };

static void nmi_on(struct vcpu *v, void *arg)
{
	struct nmi_arg *a = arg;
	a->err = kvm_vcpu_nmi(&v->kvm) ? errno : 0;
}

/* A GHES block has a new record (vm_lock held, VM alive, or on a vCPU's
 * own exit for a record that followed an acknowledge). The
 * action-optional source raises the GED's hardware-error event; the
 * action-required source sends an NMI to the vCPU concerned, the one
 * acknowledging, or vCPU 0, before that vCPU runs guest code again. */
static void ghes_notify(void *opaque, unsigned source, int cpu)
{
	struct machine *m = opaque;
	struct nmi_arg a = { 0 };

	if (source != ACPI_GHES_SOURCE_AR) {
		ged_event(&m->ged, GED_EVENT_HW_ERROR);
		return;
	}
	if (cpu < 0 || (unsigned)cpu >= m->ncpus) {
		cpu = 0;
		for (unsigned i = 0; i < m->ncpus; i++)
			if (m->vcpus[i].running && pthread_equal(m->vcpus[i].thread, pthread_self()))
				cpu = (int)i;
	}
	vcpu_run_on(&m->vcpus[cpu], nmi_on, &a);
	if (a.err)
		log_error("vCPU %d: KVM_NMI for GHES source %u: %s", cpu, source, strerror(a.err));
}

/* The GED's line, on the thread that pressed (vm_lock held, VM alive). */
static void ged_set_irq(void *opaque, int level)
{
	struct machine *m = opaque;

	if (kvm_vm_irq_line(m->vm_fd, X86_ACPI_GED_GSI, level))
		log_error("GED interrupt (GSI %u): %s", X86_ACPI_GED_GSI, strerror(errno));
}

static void com1_reset(void *dev)
{
	uart_reset(dev);
}

static bool com1_receive(void *dev, uint8_t byte)
{
	return uart_receive(dev, byte);
}

static void com1_access(void *dev, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	(void)size;
	uart_access(dev, (uint16_t)offset, is_write, data);
}

int arch_devices_init(struct machine *m, char *why, size_t whylen)
{
	const struct console_uart com1 = { .dev = &m->arch.com1, .reset = com1_reset, .receive = com1_receive,
					   .access = com1_access };

	uart_init(&m->arch.com1, console_tx, console_set_irq, &m->console);
	console_set_uart(&m->console, &com1, X86_COM1_IRQ);
	m->arch.power = (struct power_ports){ .request = power_request, .opaque = m };
	m->ged = (struct ged){ .set_irq = ged_set_irq, .opaque = m };
	if (bus_register(&m->bus, BUS_IO, X86_COM1_PORT, 8, console_access, &m->console) ||
	    power_ports_register(&m->arch.power, &m->bus) || panic_attach(m, BUS_IO, X86_PVPANIC_PORT) ||
	    ged_register(&m->ged, &m->bus, BUS_IO, X86_ACPI_GED_PORT)) {
		snprintf(why, whylen, "internal error: overlapping I/O ports");
		return -1;
	}
	if (m->opts->ras & RAS_MODE_GHES) {
		const struct ghes_dev_layout layout = {
			.pointers_gpa = X86_GHES_POINTERS_GPA, .blocks_gpa = X86_GHES_BLOCKS_GPA,
			.ack_space = BUS_IO, .ack_addr = { X86_GHES_ACK_AR_PORT, X86_GHES_ACK_AO_PORT },
		};
		m->ghes.notify = ghes_notify;
		m->ghes.opaque = m;
		if (ghes_dev_init(&m->ghes, &m->ram, &m->bus, &layout)) {
			snprintf(why, whylen, "internal error: cannot place the GHES error sources");
			return -1;
		}
	}
	return 0;
}

/* KVM_IRQ_LINE on x86 takes the GSI itself. */
int arch_virtio_place(unsigned i, uint64_t *base, unsigned *kvm_irq)
{
	if (i >= X86_VIRTIO_MAX)
		return -1;
	*base = X86_VIRTIO_MMIO_GPA + i * X86_VIRTIO_MMIO_STRIDE;
	*kvm_irq = X86_VIRTIO_GSI_BASE + i;
	return 0;
}

void arch_power_button(struct machine *m)
{
	ged_event(&m->ged, GED_EVENT_POWER_BUTTON);
}
