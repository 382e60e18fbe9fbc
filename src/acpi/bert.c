#include "acpi/bert.h"

#include <errno.h>

size_t acpi_add_bert(struct acpi_builder *b, uint32_t region_len, uint64_t region_addr,
		     const char *region_file)
{
	size_t t, ptr;

	if (!region_len)
		acpi_builder_fail(b, EINVAL);
	t = acpi_table_begin(b, "BERT", ACPI_BERT_REVISION);
	acpi_put32(b, region_len);
	ptr = acpi_builder_reserve(b, 8);
	acpi_set64(b, ptr, region_addr);
	/* A fixed builder has the address already; the loader links a file's. */
	if (region_file)
		acpi_builder_pointer(b, ptr, 8, region_file);
	acpi_table_end(b, t);
	return t;
}
