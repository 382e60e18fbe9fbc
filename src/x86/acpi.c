#include "x86/acpi.h"

#include "acpi/bert.h"
#include "acpi/builder.h"
#include "acpi/hest.h"
#include "x86/acpi_tables.h"
#include "x86/layout.h"

#include <errno.h>
#include <string.h>

static int valid(const struct x86_acpi_config *cfg)
{
	/* LAPIC ids are 8 bits in xAPIC mode and 0xff is broadcast. */
	if (cfg->ncpus == 0 || cfg->ncpus > 255)
		return 0;
	/* The legacy RSDP scan and the DSDT's 32-bit FADT field both need
	 * the tables below 4 GiB; the RSDP needs 16-byte alignment. */
	if (cfg->base_gpa % 16 || cfg->base_gpa > 0x100000000ULL - X86_ACPI_MAX)
		return 0;
	/* IRQNoFlags describes ISA IRQs 0-15 only. */
	if (cfg->uart_irq > 15)
		return 0;
	/* The GED's interrupt must be a pin of the one IOAPIC (KVM's has 24). */
	if (cfg->ged_port && cfg->ged_gsi >= 24)
		return 0;
	/* GHES: the AO source is notified through the GED; the pointers must
	 * be 8-aligned and, like every table, below 4 GiB. */
	if (cfg->ghes_pointers_gpa &&
	    (!cfg->ged_port || cfg->ghes_pointers_gpa % 8 ||
	     cfg->ghes_pointers_gpa > 0x100000000ULL - 16))
		return 0;
	/* The BERT's region, like the tables, below 4 GiB in this layout. */
	if (cfg->bert_region_len && (!cfg->bert_region_gpa ||
				     cfg->bert_region_gpa > 0x100000000ULL - cfg->bert_region_len))
		return 0;
	/* SLP_TYP is a 3-bit field of SLEEP_CONTROL_REG. */
	if (cfg->s5_slp_typ > 7)
		return 0;
	return 1;
}

int x86_acpi_build(const struct x86_acpi_config *cfg, struct acpi_blob *out)
{
	if (!out) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (!cfg || !valid(cfg)) {
		errno = EINVAL;
		return -1;
	}

	struct acpi_builder b;
	acpi_builder_init(&b, cfg->base_gpa, X86_ACPI_MAX);
	size_t rsdp = acpi_rsdp_reserve(&b);
	size_t dsdt = x86_acpi_add_dsdt(&b, cfg);
	x86_acpi_add_fadt(&b, cfg, dsdt);
	x86_acpi_add_madt(&b, cfg);
	if (cfg->ghes_pointers_gpa) {
		struct acpi_ghes_source src[2];
		x86_ghes_source(&src[0], ACPI_GHES_SOURCE_AR, cfg->ghes_pointers_gpa,
				     cfg->ghes_ack_port[0], ACPI_HEST_NOTIFY_NMI, 0);
		x86_ghes_source(&src[1], ACPI_GHES_SOURCE_AO, cfg->ghes_pointers_gpa + 8,
				     cfg->ghes_ack_port[1], ACPI_HEST_NOTIFY_GSIV, cfg->ged_gsi);
		acpi_add_hest(&b, src, 2);
	}
	if (cfg->bert_region_len)
		acpi_add_bert(&b, cfg->bert_region_len, cfg->bert_region_gpa, NULL);
	size_t xsdt = acpi_add_xsdt(&b);
	acpi_rsdp_fill(&b, rsdp, xsdt);
	return acpi_builder_finish(&b, out);
}
