/* The CPUID bits a guest's machine-check handler looks at before it tries to
 * recover rather than panic. Pure, on a copy of KVM's supported CPUID. */
#ifndef VMRAS_X86_MCA_CPUID_H
#define VMRAS_X86_MCA_CPUID_H

#include <linux/kvm.h>
#include <stdint.h>

#define CPUID_EXT_MAX_LEAF           0x80000000u
#define CPUID_RAS_CAP_LEAF           0x80000007u
/* AMD APM vol. 3, CPUID Fn8000_0007 EBX. KVM reports neither (it leaves EBX
 * 0), yet Linux on AMD treats every uncorrected error as fatal unless it
 * sees SUCCOR, and McaOverflowRecov lets it survive an overflowed bank. */
#define CPUID_80000007_EBX_MCA_OVERFLOW_RECOV (1u << 0)
#define CPUID_80000007_EBX_SUCCOR            (1u << 1)

/* For AMD guests: sets McaOverflowRecov and SUCCOR in leaf 0x80000007,
 * appending that leaf (and raising the maximum extended leaf to reach it)
 * when the table lacks it. *n grows by at most one, never past cap. Returns 0,
 * or -1 when the table has no extended leaves at all or no room. */
int mca_cpuid_amd_recovery(struct kvm_cpuid_entry2 *entries, unsigned *n, unsigned cap);

#endif
