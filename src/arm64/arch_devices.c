/* arm64's devices on the bus: the PL011 console, the PL031 RTC, the PL061
 * power key, pvpanic-mmio and, booting through firmware, the flash banks,
 * at their virt addresses. Power-off and reset are PSCI calls
 * KVM turns into system events (vcpu_loop.c); the GED and the GHES sources
 * come with issue 11. */
#include "vmm/arch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arm64/arch_devices.h"
#include "arm64/arch_fw_cfg.h"
#include "arm64/arch_firmware.h"
#include "arm64/arch_kvm.h"
#include "arm64/arch_ras.h"
#include "arm64/ghes_layout.h"
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

/* The GPIO's SPI, from the thread that changed it (a vCPU's exit, or
 * system_powerdown under vm_lock): the VM and its vGIC exist. */
static void gpio_set_irq(void *opaque, int level)
{
	struct machine *m = opaque;

	if (!m->arch.gic_ready)
		return;
	if (kvm_vm_irq_line(m->vm_fd, ARM64_KVM_IRQ_SPI(ARM64_GPIO_SPI), level))
		log_error("GPIO interrupt (SPI %d): %s", ARM64_GPIO_SPI, strerror(errno));
}

/* A press lasts until the guest has read the key down (gpio-keys reads the
 * pin once its debounce is over), then the key comes up: the guest sees a
 * press and a release however slow it is, as with a finger on a button. */
static void gpio_access(void *opaque, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	struct machine *m = opaque;
	struct machine_arch *a = &m->arch;
	const uint64_t key = 1u << ARM64_POWER_BUTTON_PIN;

	pthread_mutex_lock(&a->gpio_lock);
	pl061_access(&a->gpio, offset, is_write, data, size);
	if (a->key_held && !is_write && offset < PL061_DIR && ((offset >> 2) & key) && (data[0] & key)) {
		a->key_held = false;
		pl061_set_input(&a->gpio, ARM64_POWER_BUTTON_PIN, 0);
	}
	pthread_mutex_unlock(&a->gpio_lock);
}

/* The RTC shows the host's wall clock, as QEMU's default -rtc base=utc. */
static uint64_t rtc_clock(void *opaque)
{
	struct timespec ts;

	(void)opaque;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec;
}

/* The GED's line (an ACPI boot's power button and hardware-error events):
 * ged_event pulses it, from the thread that raised the event. */
static void ged_set_irq(void *opaque, int level)
{
	struct machine *m = opaque;

	if (m->arch.gic_ready && kvm_vm_irq_line(m->vm_fd, ARM64_KVM_IRQ_SPI(ARM64_GED_SPI), level))
		log_error("GED interrupt (SPI %d): %s", ARM64_GED_SPI, strerror(errno));
}

static void rtc_set_irq(void *opaque, int level)
{
	struct machine *m = opaque;

	if (m->arch.gic_ready && kvm_vm_irq_line(m->vm_fd, ARM64_KVM_IRQ_SPI(ARM64_RTC_SPI), level))
		log_error("RTC interrupt (SPI %d): %s", ARM64_RTC_SPI, strerror(errno));
}

static void rtc_access(void *opaque, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	struct machine *m = opaque;

	pthread_mutex_lock(&m->arch.rtc_lock);
	pl031_access(&m->arch.rtc, offset, is_write, data, size);
	pthread_mutex_unlock(&m->arch.rtc_lock);
}

int arch_devices_init(struct machine *m, char *why, size_t whylen)
{
	const struct console_uart uart = { .dev = &m->arch.uart, .reset = uart_reset_dev,
					   .receive = uart_receive_dev, .access = uart_access_dev };

	pl011_init(&m->arch.uart, console_tx, console_set_irq, &m->console);
	console_set_uart(&m->console, &uart, ARM64_KVM_IRQ_SPI(ARM64_UART_SPI));
	pthread_mutex_init(&m->arch.gpio_lock, NULL);
	pl061_init(&m->arch.gpio, gpio_set_irq, m);
	pthread_mutex_init(&m->arch.rtc_lock, NULL);
	pl031_init(&m->arch.rtc, rtc_clock, rtc_set_irq, m);
	if (bus_register(&m->bus, BUS_MMIO, ARM64_UART_GPA, ARM64_UART_SIZE, console_access, &m->console) ||
	    bus_register(&m->bus, BUS_MMIO, ARM64_GPIO_GPA, ARM64_GPIO_SIZE, gpio_access, m) ||
	    bus_register(&m->bus, BUS_MMIO, ARM64_RTC_GPA, ARM64_RTC_SIZE, rtc_access, m) ||
	    (m->opts->firmware && arm64_firmware_devices(m)) ||
	    panic_attach(m, BUS_MMIO, ARM64_PVPANIC_GPA)) {
		snprintf(why, whylen, "internal error: overlapping MMIO devices");
		return -1;
	}
	/* A boot through firmware gives the guest ACPI instead of the DT,
	 * and ACPI's power button is the GED's (the PL061 stays, unused). */
	if (m->opts->firmware) {
		m->ged = (struct ged){ .set_irq = ged_set_irq, .opaque = m };
		if (ged_register(&m->ged, &m->bus, BUS_MMIO, ARM64_GED_GPA)) {
			snprintf(why, whylen, "internal error: overlapping MMIO devices (GED)");
			return -1;
		}
		if (arm64_fw_cfg_init(m, why, whylen))
			return -1;
	}
	/* Only an ACPI guest (a boot through firmware) has the GHES sources;
	 * arm64 has no channel of its own (machine checks are x86's). */
	m->channels = m->opts->firmware ? (m->opts->ras & RAS_MODE_GHES) : 0;
	if (m->channels & RAS_MODE_GHES) {
		const struct ghes_dev_layout layout = arm64_ghes_layout();

		m->ghes.notify = arm64_ghes_notify;
		m->ghes.opaque = m;
		if (ghes_dev_init(&m->ghes, &m->ram, &m->bus, &layout)) {
			snprintf(why, whylen, "internal error: cannot place the GHES read-ack registers");
			return -1;
		}
	}
	return 0;
}

void arch_power_button(struct machine *m)
{
	struct machine_arch *a = &m->arch;

	if (m->opts->firmware) {
		ged_event(&m->ged, GED_EVENT_POWER_BUTTON);
		return;
	}

	pthread_mutex_lock(&a->gpio_lock);
	a->key_held = true;
	pl061_set_input(&a->gpio, ARM64_POWER_BUTTON_PIN, 1);
	pthread_mutex_unlock(&a->gpio_lock);
}

void arm64_devices_reset(struct machine *m)
{
	struct machine_arch *a = &m->arch;

	/* A new machine: the key is up and the GPIO at its power-on state. */
	pthread_mutex_lock(&a->gpio_lock);
	a->key_held = false;
	pl061_set_input(&a->gpio, ARM64_POWER_BUTTON_PIN, 0);
	pl061_reset(&a->gpio);
	pthread_mutex_unlock(&a->gpio_lock);
	pthread_mutex_lock(&a->rtc_lock);
	pl031_reset(&a->rtc);
	pthread_mutex_unlock(&a->rtc_lock);
}

int arch_virtio_place(unsigned i, uint64_t *base, unsigned *kvm_irq)
{
	if (i >= ARM64_VIRTIO_MAX)
		return -1;
	*base = ARM64_VIRTIO_MMIO_GPA + i * ARM64_VIRTIO_MMIO_STRIDE;
	*kvm_irq = ARM64_KVM_IRQ_SPI(ARM64_VIRTIO_SPI_BASE + i);
	return 0;
}
