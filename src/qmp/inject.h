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

/* query-cpus-fast's return for x86 in QEMU 7.2's shape, one socket with a
 * core per vCPU (the topology vmras gives the guest, and QEMU's for -smp N).
 * NULL when out of memory. */
struct json_object *qmp_cpus_fast(const struct qmp_cpu *cpus, size_t n);

/* QEMU's QOM path of CPU index under -machine pc: the first CPU's APIC
 * creates one more unattached device (the VAPIC) before the second CPU, so
 * the paths skip device[1]. */
void qmp_cpu_qom_path(unsigned index, char *buf, size_t len);

#endif
