/* The Boot Error Record Table (ACPI 6.x §18.3.1): where the guest finds
 * the Boot Error Region (ras/bert.h) and how long it is. */
#ifndef VMRAS_ACPI_BERT_H
#define VMRAS_ACPI_BERT_H

#include "acpi/builder.h"

#include <stddef.h>
#include <stdint.h>

#define ACPI_BERT_REVISION 1
#define ACPI_BERT_LEN (ACPI_HEADER_LEN + 4 + 8)

/* Appends the BERT and returns its offset. region_file NULL: the region is
 * at guest-physical region_addr. Otherwise (relocatable builders) at offset
 * region_addr of that fw_cfg file, which the firmware links. A region
 * length of 0 is refused (EINVAL): Linux rejects a region shorter than one
 * block header, and an empty one means no BERT at all. */
size_t acpi_add_bert(struct acpi_builder *b, uint32_t region_len, uint64_t region_addr,
		     const char *region_file);

#endif
