#include "ras/cper.h"

#include <errno.h>
#include <string.h>

const uint8_t cper_sec_platform_mem[16] = {
	0x14, 0x11, 0xbc, 0xa5, 0x64, 0x6f, 0xde, 0x4e,
	0xb8, 0x63, 0x3e, 0x83, 0xed, 0x7c, 0x83, 0xb1,
};

/* Offsets within the Generic Error Status Block. */
#define ES_BLOCK_STATUS 0
#define ES_RAW_DATA_OFFSET 4
#define ES_RAW_DATA_LENGTH 8
#define ES_DATA_LENGTH 12
#define ES_SEVERITY 16

/* Within a Generic Error Data Entry. */
#define GD_SECTION_TYPE 0
#define GD_SEVERITY 16
#define GD_REVISION 20
#define GD_VALIDATION 22
#define GD_FLAGS 23
#define GD_DATA_LENGTH 24

/* Within the Memory Error Section. */
#define MEM_VALIDATION 0
#define MEM_PA 16
#define MEM_PA_MASK 24
#define MEM_ERROR_TYPE 72

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

ssize_t cper_encode_mem_error(void *buf, size_t len, const struct cper_mem_error *e)
{
	if (!e->size || (e->size & (e->size - 1)) || e->severity > CPER_SEV_INFORMATIONAL) {
		errno = EINVAL;
		return -1;
	}
	if (!buf || len < CPER_MEM_RECORD_LEN) {
		errno = ENOSPC;
		return -1;
	}
	uint8_t *es = buf;
	uint8_t *gd = es + CPER_ESTATUS_LEN;
	uint8_t *mem = gd + CPER_GDATA_LEN;
	memset(es, 0, CPER_MEM_RECORD_LEN);

	/* A zero Block Status means "no error here" to the guest, so one of
	 * the valid bits is always set. */
	uint32_t status = e->severity == CPER_SEV_CORRECTED ? CPER_BLOCK_CE_VALID
							    : CPER_BLOCK_UE_VALID;
	status |= 1u << CPER_BLOCK_ENTRY_COUNT_SHIFT;
	put_le(es + ES_BLOCK_STATUS, status, 4);
	/* No raw data: offset and length both zero, which is what a guest's
	 * sanity check accepts (a nonzero length needs an offset past the
	 * entries). */
	put_le(es + ES_RAW_DATA_OFFSET, 0, 4);
	put_le(es + ES_RAW_DATA_LENGTH, 0, 4);
	put_le(es + ES_DATA_LENGTH, CPER_GDATA_LEN + CPER_MEM_SECTION_LEN, 4);
	put_le(es + ES_SEVERITY, e->severity, 4);

	memcpy(gd + GD_SECTION_TYPE, cper_sec_platform_mem, 16);
	put_le(gd + GD_SEVERITY, e->severity, 4);
	put_le(gd + GD_REVISION, CPER_GDATA_REVISION, 2);
	/* No FRU id, FRU text or timestamp: a VM has no DIMM to name, and
	 * the guest stamps the report itself. */
	gd[GD_VALIDATION] = 0;
	gd[GD_FLAGS] = 0;
	put_le(gd + GD_DATA_LENGTH, CPER_MEM_SECTION_LEN, 4);

	/* The guest isolates pages from the address; the mask says how much
	 * went with it (a huge page on the host takes 2 MiB of guest RAM). */
	put_le(mem + MEM_VALIDATION,
	       CPER_MEM_VALID_PA | CPER_MEM_VALID_PA_MASK | CPER_MEM_VALID_ERROR_TYPE, 8);
	put_le(mem + MEM_PA, e->phys_addr, 8);
	put_le(mem + MEM_PA_MASK, ~(e->size - 1), 8);
	mem[MEM_ERROR_TYPE] = e->error_type;
	return CPER_MEM_RECORD_LEN;
}
