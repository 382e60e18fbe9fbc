#include "acpi/hest.h"

#include "ras/cper.h"

#include <errno.h>
#include <string.h>

/* GAS access sizes: the error status address is a 64-bit pointer in
 * memory; a read-ack register is 32 bits wide (port I/O is at most 32 bits
 * wide, and Linux's apei_read/apei_write accept both) or 64. */
#define GAS_ACCESS_DWORD 3
#define GAS_ACCESS_QWORD 4

void acpi_ghes_source_init(struct acpi_ghes_source *src, uint16_t source_id,
			   uint64_t error_status_address)
{
	memset(src, 0, sizeof(*src));
	src->source_id = source_id;
	/* One block per source: the VMM queues further errors itself and
	 * writes the next one only after the guest acknowledged the last. */
	src->records_to_preallocate = 1;
	src->max_sections_per_record = 1;
	/* A page leaves room for raw CPERs injected over QMP, well under the
	 * 64 KiB a Linux guest accepts per block, and keeps the reservation
	 * of guest memory page-sized. */
	src->error_status_block_length = ACPI_GHES_BLOCK_LEN;
	src->max_raw_data_length = ACPI_GHES_BLOCK_LEN;
	src->error_status_address = error_status_address;
}

void acpi_ghes_source_read_ack(struct acpi_ghes_source *src, uint8_t space, uint8_t bits,
			       uint64_t address)
{
	src->read_ack_space = space;
	src->read_ack_bits = bits;
	src->read_ack_address = address;
	/* The guest ORs the write value into what preserve keeps: bit 0
	 * becomes 1 on acknowledge, and the VMM clears it before the next
	 * record (ACPI 6.x §18.3.2.8). */
	src->read_ack_preserve = ~1ull;
	src->read_ack_write = 1;
}

static void put_notify(struct acpi_builder *b, const struct acpi_ghes_source *s)
{
	acpi_put8(b, s->notify_type);
	acpi_put8(b, ACPI_HEST_NOTIFY_LEN);
	/* Configuration Write Enable 0: the guest may not retune polling or
	 * thresholds, there is nothing behind them to retune. */
	acpi_put16(b, 0);
	acpi_put32(b, s->notify_type == ACPI_HEST_NOTIFY_POLLED ? s->poll_interval_ms : 0);
	acpi_put32(b, s->notify_type == ACPI_HEST_NOTIFY_POLLED ? 0 : s->notify_vector);
	/* Switch-to-polling and error thresholds: a VMM reports each error
	 * once and never switches notification modes. */
	acpi_put32(b, 0);
	acpi_put32(b, 0);
	acpi_put32(b, 0);
	acpi_put32(b, 0);
}

static void put_ghes_v2(struct acpi_builder *b, const struct acpi_ghes_source *s)
{
	acpi_put16(b, ACPI_HEST_TYPE_GHES_V2);
	acpi_put16(b, s->source_id);
	acpi_put16(b, 0xffff);                     /* no related source */
	acpi_put8(b, 0);                           /* flags: none apply to GHES */
	acpi_put8(b, 1);                           /* enabled */
	acpi_put32(b, s->records_to_preallocate);
	acpi_put32(b, s->max_sections_per_record);
	acpi_put32(b, s->max_raw_data_length);
	acpi_put_gas(b, ACPI_GAS_SYSTEM_MEMORY, 64, 0, GAS_ACCESS_QWORD,
		     s->error_status_address);
	put_notify(b, s);
	acpi_put32(b, s->error_status_block_length);
	acpi_put_gas(b, s->read_ack_space, s->read_ack_bits, 0,
		     s->read_ack_bits == 64 ? GAS_ACCESS_QWORD : GAS_ACCESS_DWORD, s->read_ack_address);
	acpi_put64(b, s->read_ack_preserve);
	acpi_put64(b, s->read_ack_write);
}

size_t acpi_add_hest(struct acpi_builder *b, const struct acpi_ghes_source *src, unsigned n)
{
	if (!n)
		acpi_builder_fail(b, EINVAL);
	/* A guest rejects a source whose block cannot hold a status block
	 * header. */
	for (unsigned i = 0; i < n; i++)
		if (src[i].error_status_block_length < CPER_ESTATUS_LEN)
			acpi_builder_fail(b, EINVAL);
	size_t t = acpi_table_begin(b, "HEST", ACPI_HEST_REVISION);
	acpi_put32(b, n);
	for (unsigned i = 0; i < n; i++)
		put_ghes_v2(b, &src[i]);
	acpi_table_end(b, t);
	return t;
}

size_t acpi_add_hest_linked(struct acpi_builder *b, const struct acpi_ghes_source *src, unsigned n,
			    const char *status_file)
{
	size_t t = acpi_add_hest(b, src, n);
	for (unsigned i = 0; i < n; i++)
		acpi_builder_pointer(b, t + ACPI_HEST_HEADER_LEN + (size_t)i * ACPI_GHES_V2_LEN +
				     ACPI_GHES_V2_STATUS_ADDR_OFF, 8, status_file);
	return t;
}
