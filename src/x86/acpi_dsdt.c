#include "acpi/aml.h"
#include "x86/acpi_tables.h"
#include "devices/ged.h"
#include "devices/pvpanic.h"
#include "devices/uart16550.h"
#include "devices/virtio_mmio.h"

#include <errno.h>

size_t x86_acpi_add_dsdt(struct acpi_builder *b, const struct x86_acpi_config *cfg)
{
	struct aml a;
	aml_init(&a);

	aml_scope_begin(&a, "\\_SB");
	uart16550_aml(&a, "COM1", cfg->uart_port, cfg->uart_irq);
	if (cfg->pvpanic_port)
		pvpanic_aml(&a, BUS_IO, cfg->pvpanic_port);
	/* The HED only with GHES: its one notifier is the AO source. */
	if (cfg->ged_port)
		ged_aml(&a, BUS_IO, cfg->ged_port, cfg->ged_gsi,
			GED_EVENT_POWER_BUTTON | (cfg->ghes_pointers_gpa ? GED_EVENT_HW_ERROR : 0));
	for (unsigned i = 0; i < cfg->virtio_count; i++) {
		char name[5] = { 'V', 'R', (char)('0' + i / 10), (char)('0' + i % 10), 0 };

		virtio_mmio_aml(&a, name, i, cfg->virtio_base + i * cfg->virtio_stride, cfg->virtio_gsi_base + i);
	}
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

	return acpi_add_aml_table(b, "DSDT", ACPI_DSDT_REVISION, &a);
}
