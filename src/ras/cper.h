/* UEFI CPER records for ACPI GHESv2 error status blocks: what the VMM
 * writes into guest memory before notifying a Generic Hardware Error Source.
 *
 * Layouts: ACPI 6.x §18.3.2.7.1 (Generic Error Status Block, Generic Error
 * Data Entry) and UEFI 2.x Appendix N.2.5 (Memory Error Section). Everything
 * is little-endian, whatever the host. */
#ifndef VMRAS_RAS_CPER_H
#define VMRAS_RAS_CPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Generic Error Status Block header. */
#define CPER_ESTATUS_LEN 20
#define CPER_BLOCK_UE_VALID (1u << 0)
#define CPER_BLOCK_CE_VALID (1u << 1)
#define CPER_BLOCK_MULTI_UE (1u << 2)
#define CPER_BLOCK_MULTI_CE (1u << 3)
#define CPER_BLOCK_ENTRY_COUNT_SHIFT 4
#define CPER_BLOCK_ENTRY_COUNT_MAX 0x3ffu       /* bits 4-13 */

/* Error severities, for the block and for each data entry. Memory the host
 * lost under a guest is recoverable whether a vCPU consumed it (action
 * required) or it was found early (action optional): the guest isolates the
 * page and goes on. */
#define CPER_SEV_RECOVERABLE 0
#define CPER_SEV_FATAL 1
#define CPER_SEV_CORRECTED 2
#define CPER_SEV_INFORMATIONAL 3

/* Generic Error Data Entry, revision 0x300 (the one with a timestamp). */
#define CPER_GDATA_LEN 72
#define CPER_GDATA_REVISION 0x0300

/* Memory Error Section. */
#define CPER_MEM_SECTION_LEN 80
#define CPER_MEM_VALID_ERROR_STATUS (1ull << 0)
#define CPER_MEM_VALID_PA (1ull << 1)
#define CPER_MEM_VALID_PA_MASK (1ull << 2)
#define CPER_MEM_VALID_ERROR_TYPE (1ull << 14)

/* Memory Error Type values (UEFI Table N-32, partial). */
#define CPER_MEM_ERR_UNKNOWN 0
#define CPER_MEM_ERR_MULTI_BIT_ECC 3
#define CPER_MEM_ERR_SCRUB_UE 14

/* One data entry with its memory section, and a whole record of one. */
#define CPER_MEM_ENTRY_LEN (CPER_GDATA_LEN + CPER_MEM_SECTION_LEN)
#define CPER_MEM_RECORD_LEN (CPER_ESTATUS_LEN + CPER_MEM_ENTRY_LEN)

/* Platform Memory section type A5BC1114-6F64-4EDE-B863-3E83ED7C83B1, as the
 * 16 bytes UEFI stores (first three fields little-endian). */
extern const uint8_t cper_sec_platform_mem[16];

struct cper_mem_error {
	uint64_t phys_addr;        /* guest-physical address that failed */
	uint64_t size;             /* bytes lost around it: a power of two */
	uint32_t severity;         /* CPER_SEV_* */
	uint8_t error_type;        /* CPER_MEM_ERR_* */
};

/* Writes one Generic Error Status Block holding one memory error into
 * buf[0..len) and returns its length (CPER_MEM_RECORD_LEN), or -1 with
 * errno ENOSPC (buf too small, nothing written) or EINVAL (size not a
 * power of two, severity out of range). */
ssize_t cper_encode_mem_error(void *buf, size_t len, const struct cper_mem_error *e);
/* The same with n memory errors, one data entry and section each, in one
 * block (a Linux guest's GHES driver handles every section of a block:
 * one page isolated per memory section). Returns CPER_ESTATUS_LEN + n *
 * CPER_MEM_ENTRY_LEN, or -1 with errno EINVAL (n 0 or past the block's
 * 10-bit entry count, an error as above) or ENOSPC. The block's severity
 * is the worst of the sections'. */
ssize_t cper_encode_mem_errors(void *buf, size_t len, const struct cper_mem_error *e, size_t n);
/* How many memory errors one block of len bytes holds. */
size_t cper_mem_errors_fit(size_t len);

/* Whether buf[0..len) is a whole Generic Error Status Block a guest's GHES
 * driver would take: at least the header and at most one block
 * (GHES_RECORD_MAX), a nonzero block status, the data entries inside the
 * record and tiling its data length exactly (64-byte entry headers before
 * revision 0x300, 72 from it on), and raw data, if any, after the entries
 * and inside the record. Section contents are not looked at. On false, why
 * holds one line saying what is wrong (why may be NULL). */
bool cper_block_check(const void *buf, size_t len, char *why, size_t whylen);

#endif
