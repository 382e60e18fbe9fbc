#include "x86/power.h"

#include "x86/layout.h"

static void sleep_ctl(void *opaque, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	struct power_ports *p = opaque;
	(void)size;

	if (!is_write) {
		*data = 0;
		return;
	}
	switch (off) {
	case 0: /* sleep control: S5 with SLP_EN is soft-off; other states are not offered */
		if ((*data & ACPI_SLP_EN) && ((*data >> ACPI_SLP_TYP_SHIFT) & 7) == X86_ACPI_S5_SLP_TYP)
			p->request(p->opaque, POWER_REQUEST_OFF, "ACPI S5 (guest poweroff)");
		break;
	case 2: /* reset register */
		if (*data == X86_ACPI_RESET_VALUE)
			p->request(p->opaque, POWER_REQUEST_RESET, "ACPI reset register (guest reboot)");
		break;
	}
}

static void i8042(void *opaque, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	struct power_ports *p = opaque;
	(void)off; (void)size;

	/* Reads say "input buffer empty" so a guest waiting to send the reset pulse goes ahead. */
	if (!is_write)
		*data = 0;
	else if (*data == I8042_CMD_RESET)
		p->request(p->opaque, POWER_REQUEST_RESET, "keyboard controller reset");
}

static void cf9(void *opaque, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	struct power_ports *p = opaque;
	(void)off; (void)size;

	if (!is_write)
		*data = 0;
	else if (*data & CF9_RST_CPU)
		p->request(p->opaque, POWER_REQUEST_RESET, "PCI reset control register");
}

int power_ports_register(struct power_ports *p, struct bus *bus)
{
	if (bus_register(bus, BUS_IO, X86_ACPI_SLEEP_CTL_PORT, 3, sleep_ctl, p) ||
	    bus_register(bus, BUS_IO, X86_I8042_CMD_PORT, 1, i8042, p) ||
	    bus_register(bus, BUS_IO, X86_RESET_CF9_PORT, 1, cf9, p))
		return -1;
	return 0;
}
