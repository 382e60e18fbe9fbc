/* arm64's devices on the bus: the PL011 console and pvpanic-mmio at their
 * virt addresses. Power-off and reset are PSCI calls KVM turns into system
 * events (vcpu_loop.c); the GED, the GHES sources and the PL061 power key
 * come with issue 11. */
#include "vmm/arch.h"

#include <stdio.h>

#include "arm64/arch_kvm.h"
#include "arm64/layout.h"
#include "vmm/log.h"
#include "vmm/machine.h"
#include "vmm/panic.h"

static void uart_reset_dev(void *dev)
{
	pl011_reset(dev);
}

static bool uart_receive_dev(void *dev, uint8_t byte)
{
	return pl011_receive(dev, byte);
}

static void uart_access_dev(void *dev, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	pl011_access(dev, offset, is_write, data, size);
}

int arch_devices_init(struct machine *m, char *why, size_t whylen)
{
	const struct console_uart uart = { .dev = &m->arch.uart, .reset = uart_reset_dev,
					   .receive = uart_receive_dev, .access = uart_access_dev };

	pl011_init(&m->arch.uart, console_tx, console_set_irq, &m->console);
	console_set_uart(&m->console, &uart, ARM64_KVM_IRQ_SPI(ARM64_UART_SPI));
	if (bus_register(&m->bus, BUS_MMIO, ARM64_UART_GPA, ARM64_UART_SIZE, console_access, &m->console) ||
	    panic_attach(m, BUS_MMIO, ARM64_PVPANIC_GPA)) {
		snprintf(why, whylen, "internal error: overlapping MMIO devices");
		return -1;
	}
	/* Nothing tells the guest of a memory error yet (arm64/mf.h). */
	m->channels = 0;
	return 0;
}

void arch_power_button(struct machine *m)
{
	(void)m;
	/* The PL061 power key is not modelled yet: a DT guest has no other button. */
	log_info("system_powerdown: the arm64 machine has no power button yet; the guest is not told");
}
