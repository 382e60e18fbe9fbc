#include "ras/cper.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ras/ghes_queue.h"

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

/* One Generic Error Data Entry with its Memory Error Section at gd. */
static void put_mem_section(uint8_t *gd, const struct cper_mem_error *e)
{
	uint8_t *mem = gd + CPER_GDATA_LEN;

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
}

static bool mem_error_ok(const struct cper_mem_error *e)
{
	return e->size && !(e->size & (e->size - 1)) && e->severity <= CPER_SEV_INFORMATIONAL;
}

/* The block's severity: the worst of its sections (fatal, then
 * recoverable, then corrected, then informational, as UEFI ranks them). */
static uint32_t worst_severity(const struct cper_mem_error *e, size_t n)
{
	static const unsigned rank[] = { [CPER_SEV_FATAL] = 3, [CPER_SEV_RECOVERABLE] = 2,
					 [CPER_SEV_CORRECTED] = 1, [CPER_SEV_INFORMATIONAL] = 0 };
	uint32_t worst = e[0].severity;

	for (size_t i = 1; i < n; i++)
		if (rank[e[i].severity] > rank[worst])
			worst = e[i].severity;
	return worst;
}

ssize_t cper_encode_mem_errors(void *buf, size_t len, const struct cper_mem_error *e, size_t n)
{
	size_t total = CPER_ESTATUS_LEN + n * CPER_MEM_ENTRY_LEN;
	uint32_t status = 0, sev;
	size_t ue = 0, ce = 0;

	if (!e || !n || n > CPER_BLOCK_ENTRY_COUNT_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!mem_error_ok(&e[i])) {
			errno = EINVAL;
			return -1;
		}
	if (!buf || len < total) {
		errno = ENOSPC;
		return -1;
	}
	uint8_t *es = buf;
	memset(es, 0, total);
	for (size_t i = 0; i < n; i++) {
		put_mem_section(es + CPER_ESTATUS_LEN + i * CPER_MEM_ENTRY_LEN, &e[i]);
		if (e[i].severity == CPER_SEV_CORRECTED)
			ce++;
		else
			ue++;
	}
	sev = worst_severity(e, n);
	/* A zero Block Status means "no error here" to the guest, so one of
	 * the valid bits is always set (an informational entry counts as
	 * uncorrected, as nothing corrected it); the "multiple" bits say more
	 * than one error of that kind is in the block. */
	if (ue)
		status |= CPER_BLOCK_UE_VALID | (ue > 1 ? CPER_BLOCK_MULTI_UE : 0);
	if (ce)
		status |= CPER_BLOCK_CE_VALID | (ce > 1 ? CPER_BLOCK_MULTI_CE : 0);
	status |= (uint32_t)n << CPER_BLOCK_ENTRY_COUNT_SHIFT;
	put_le(es + ES_BLOCK_STATUS, status, 4);
	/* No raw data: offset and length both zero, which is what a guest's
	 * sanity check accepts (a nonzero length needs an offset past the
	 * entries). */
	put_le(es + ES_RAW_DATA_OFFSET, 0, 4);
	put_le(es + ES_RAW_DATA_LENGTH, 0, 4);
	put_le(es + ES_DATA_LENGTH, n * CPER_MEM_ENTRY_LEN, 4);
	put_le(es + ES_SEVERITY, sev, 4);
	return (ssize_t)total;
}

ssize_t cper_encode_mem_error(void *buf, size_t len, const struct cper_mem_error *e)
{
	return cper_encode_mem_errors(buf, len, e, 1);
}

size_t cper_mem_errors_fit(size_t len)
{
	size_t n = len < CPER_ESTATUS_LEN ? 0 : (len - CPER_ESTATUS_LEN) / CPER_MEM_ENTRY_LEN;

	return n > CPER_BLOCK_ENTRY_COUNT_MAX ? CPER_BLOCK_ENTRY_COUNT_MAX : n;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool reject(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* The header before revision 0x300 lacks the 8-byte timestamp. */
#define CPER_GDATA_LEN_V2 64

bool cper_block_check(const void *buf, size_t len, char *why, size_t whylen)
{
	const uint8_t *es = buf;
	uint32_t status, raw_off, raw_len, data_len;
	size_t off;
	unsigned n;

	if (len < CPER_ESTATUS_LEN)
		return reject(why, whylen, "%zu bytes is shorter than the %u-byte block header", len,
			      CPER_ESTATUS_LEN);
	if (len > GHES_RECORD_MAX)
		return reject(why, whylen, "%zu bytes is longer than an error status block (%u bytes)", len,
			      GHES_RECORD_MAX);
	status = get_le32(es + ES_BLOCK_STATUS);
	raw_off = get_le32(es + ES_RAW_DATA_OFFSET);
	raw_len = get_le32(es + ES_RAW_DATA_LENGTH);
	data_len = get_le32(es + ES_DATA_LENGTH);
	/* The guest's driver takes a zero block status for an empty block and never looks further. */
	if (!status)
		return reject(why, whylen, "block status is 0, which the guest reads as no error");
	if ((uint64_t)CPER_ESTATUS_LEN + data_len > len)
		return reject(why, whylen, "data length %u does not fit: the header and data need %llu bytes, "
			      "the record has %zu", data_len, (unsigned long long)CPER_ESTATUS_LEN + data_len, len);
	/* Linux refuses raw data that overlaps the entries, whatever its length's plausibility. */
	if (raw_len && raw_off < CPER_ESTATUS_LEN + data_len)
		return reject(why, whylen, "raw data offset %u is inside the header or data entries (they end at %u)",
			      raw_off, CPER_ESTATUS_LEN + data_len);
	if (raw_len && (uint64_t)raw_off + raw_len > len)
		return reject(why, whylen, "raw data (offset %u, length %u) ends past the record's %zu bytes",
			      raw_off, raw_len, len);
	for (off = 0, n = 0; off < data_len; n++) {
		const uint8_t *gd = es + CPER_ESTATUS_LEN + off;
		size_t left = data_len - off, hlen;
		unsigned rev;
		uint32_t elen;

		/* The revision is within the shorter header, so read it only once that fits. */
		if (left < CPER_GDATA_LEN_V2)
			return reject(why, whylen, "data entry %u at offset %zu: only %zu bytes of data length left, "
				      "less than an entry header (%u)", n, CPER_ESTATUS_LEN + off, left,
				      CPER_GDATA_LEN_V2);
		rev = (unsigned)gd[GD_REVISION] | (unsigned)gd[GD_REVISION + 1] << 8;
		hlen = rev >= CPER_GDATA_REVISION ? CPER_GDATA_LEN : CPER_GDATA_LEN_V2;
		if (left < hlen)
			return reject(why, whylen, "data entry %u at offset %zu: its %zu-byte header (revision 0x%x) "
				      "overruns the data length %u", n, CPER_ESTATUS_LEN + off, hlen, rev, data_len);
		elen = get_le32(gd + GD_DATA_LENGTH);
		if (elen > left - hlen)
			return reject(why, whylen, "data entry %u at offset %zu: error data length %u overruns the "
				      "data length %u", n, CPER_ESTATUS_LEN + off, elen, data_len);
		off += hlen + elen;
	}
	return true;
}
