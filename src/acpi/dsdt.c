#include "acpi/aml.h"
#include "acpi/tables.h"

#include <errno.h>

static void add_com1(struct aml *a, const struct acpi_x86_config *cfg)
{
	aml_device_begin(a, "COM1");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0501");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_io(a, 1, cfg->uart_port, cfg->uart_port, 0, 8);
	aml_res_irq_noflags(a, (uint16_t)(1u << cfg->uart_irq));
	aml_end(a);
	aml_end(a);
}

/* Linux's pvpanic driver binds to _HID QEMU0001 and takes its port from
 * _CRS. _STA says present, enabled, shown and working, as a device with no
 * way to be switched off should. */
static void add_pvpanic(struct aml *a, uint16_t port)
{
	aml_device_begin(a, "PEVT");
	aml_name(a, "_HID");
	aml_string(a, "QEMU0001");
	aml_name(a, "_STA");
	aml_integer(a, 0x0f);
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_io(a, 1, port, port, 1, 1);
	aml_end(a);
	aml_end(a);
}

size_t acpi_add_dsdt_x86(struct acpi_builder *b, const struct acpi_x86_config *cfg)
{
	struct aml a;
	aml_init(&a);

	aml_scope_begin(&a, "\\_SB");
	add_com1(&a, cfg);
	if (cfg->pvpanic_port)
		add_pvpanic(&a, cfg->pvpanic_port);
	aml_end(&a);

	/* Hardware-reduced sleep writes only SLP_TYPa, the first element, to
	 * SLEEP_CONTROL_REG; the rest are there for the package's shape. */
	aml_name(&a, "\\_S5");
	aml_package_begin(&a);
	aml_integer(&a, cfg->s5_slp_typ);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_end(&a);

	size_t t = acpi_table_begin(b, "DSDT", ACPI_DSDT_REVISION);
	if (aml_finish(&a))
		acpi_builder_fail(b, errno);
	else
		acpi_put(b, a.buf, a.len);
	acpi_table_end(b, t);
	aml_free(&a);
	return t;
}
