/* A vCPU's MPIDR_EL1 affinity as KVM gives it when vmras does not set it:
 * 16 vCPUs per Aff1 cluster, because a GICv3 SGI reaches at most 16 Aff0
 * values of one cluster in a single write. The DT's cpu@ reg and PSCI
 * CPU_ON's target are this value (without MPIDR's RES1 bit 31), so both
 * must agree with KVM. */
#ifndef VMRAS_ARM64_MPIDR_H
#define VMRAS_ARM64_MPIDR_H

#include <stdint.h>

static inline uint64_t arm64_mpidr(unsigned vcpu)
{
	return (uint64_t)(vcpu & 0xf) | (uint64_t)((vcpu >> 4) & 0xff) << 8 |
	       (uint64_t)((vcpu >> 12) & 0xff) << 16;
}

#endif
