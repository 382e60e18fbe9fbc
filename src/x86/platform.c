#include "x86/platform.h"

#include <string.h>

#include "x86/layout.h"

void x86_platform_acpi_config(unsigned ncpus, bool ghes, unsigned nvirtio, struct x86_acpi_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ncpus = ncpus;
	cfg->base_gpa = X86_ACPI_GPA;
	cfg->lapic_addr = (uint32_t)X86_LAPIC_GPA;
	cfg->ioapic_addr = (uint32_t)X86_IOAPIC_GPA;
	cfg->uart_port = X86_COM1_PORT;
	cfg->uart_irq = X86_COM1_IRQ;
	cfg->sleep_ctl_port = X86_ACPI_SLEEP_CTL_PORT;
	cfg->sleep_sts_port = X86_ACPI_SLEEP_STS_PORT;
	cfg->reset_port = X86_ACPI_RESET_PORT;
	cfg->reset_value = X86_ACPI_RESET_VALUE;
	cfg->s5_slp_typ = X86_ACPI_S5_SLP_TYP;
	cfg->pvpanic_port = X86_PVPANIC_PORT;
	cfg->ged_port = X86_ACPI_GED_PORT;
	cfg->ged_gsi = X86_ACPI_GED_GSI;
	cfg->virtio_count = nvirtio;
	cfg->virtio_base = X86_VIRTIO_MMIO_GPA;
	cfg->virtio_stride = X86_VIRTIO_MMIO_STRIDE;
	cfg->virtio_gsi_base = X86_VIRTIO_GSI_BASE;
	if (ghes) {
		cfg->ghes_pointers_gpa = X86_GHES_POINTERS_GPA;
		cfg->ghes_ack_port[0] = X86_GHES_ACK_AR_PORT;
		cfg->ghes_ack_port[1] = X86_GHES_ACK_AO_PORT;
	}
}

int x86_platform_acpi_tables(unsigned ncpus, bool ghes, unsigned nvirtio, uint32_t bert_region_len,
			     struct acpi_blob *out)
{
	struct x86_acpi_config cfg;

	x86_platform_acpi_config(ncpus, ghes, nvirtio, &cfg);
	if (bert_region_len) {
		cfg.bert_region_gpa = X86_BERT_REGION_GPA;
		cfg.bert_region_len = bert_region_len;
	}
	return x86_acpi_build(&cfg, out);
}
