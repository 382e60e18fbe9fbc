/* inject-mce, inject-memory-failure, inject-ghes-v2-error and query-cpus-fast: what their handlers
 * and the machine share, and the checks that need the machine's numbers,
 * kept here so they are tested without a VM. Pure. */
#ifndef VMRAS_QMP_INJECT_H
#define VMRAS_QMP_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qmp/error.h"

struct json_object;

/* inject-mce's arguments: the fields of KVM_X86_SET_MCE, the target vCPU,
 * and whether the others get the broadcast record. */
struct qmp_mce {
	int64_t cpu_index;
	int64_t bank;
	uint64_t status;
	uint64_t mcg_status;
	uint64_t addr;
	uint64_t misc;
	bool broadcast;
};

/* The checks that need the machine: the vCPU exists, the bank is one of
 * MCG_CAP's, MCi_STATUS is valid, and a broadcast is something the guest's
 * CPU could receive (Intel only: AMD has no broadcast machine checks).
 * Returns true, or false with err set. */
bool qmp_mce_check(const struct qmp_mce *mce, unsigned ncpus, uint64_t mcg_cap, bool broadcast_ok,
		   struct qmp_error *err);

/* inject-ghes-v2-error's cper: base64 (RFC 4648 alphabet, padded) to bytes.
 * Returns a malloc'd buffer with *len bytes, or NULL with err set: QEMU's
 * words for characters outside the alphabet, or a malformed end. */
uint8_t *qmp_base64_decode(const char *text, size_t text_len, size_t *len, struct qmp_error *err);

/* One vCPU as query-cpus-fast reports it. */
struct qmp_cpu {
	unsigned index;
	long thread_id;   /* host thread id of its thread */
};

/* What query-cpus-fast says of a CPU that depends on the arch, as QEMU
 * says it for that arch's machine (x86: src/x86/qmp_cpu.h). */
struct qmp_cpu_model {
	const char *target;                                /* "x86_64", ... */
	struct json_object *(*props)(unsigned index);      /* NULL when out of memory */
	void (*qom_path)(unsigned index, char *buf, size_t len);
};

/* query-cpus-fast's return in QEMU 7.2's shape, members in QEMU's order.
 * NULL when out of memory. */
struct json_object *qmp_cpus_fast(const struct qmp_cpu *cpus, size_t n, const struct qmp_cpu_model *model);

#endif
