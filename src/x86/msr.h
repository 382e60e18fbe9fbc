/* x86 model-specific registers vmras reads, writes or models, and the bits
 * of them it uses (Intel SDM vol. 3B 15.3 and vol. 4; AMD APM vol. 2 9.3:
 * the machine-check MSRs have the same numbers on both). The one place
 * these numbers are spelled: the KVM adapter, the machine and the
 * machine-check model all include it. */
#ifndef VMRAS_X86_MSR_H
#define VMRAS_X86_MSR_H

#define MSR_IA32_MCG_CAP        0x179
#define MSR_IA32_MCG_STATUS     0x17a
#define MSR_IA32_MCG_CTL        0x17b
#define MSR_IA32_MCG_EXT_CTL    0x4d0
#define MSR_IA32_MCi_CTL(i)     (0x400u + 4u * (i))
#define MSR_IA32_MCi_STATUS(i)  (0x401u + 4u * (i))
#define MSR_IA32_MCi_ADDR(i)    (0x402u + 4u * (i))
#define MSR_IA32_MCi_MISC(i)    (0x403u + 4u * (i))

/* MCG_CAP: the bank count and the capability bits. */
#define MCG_CAP_COUNT_MASK      0xffULL
#define MCG_CTL_P               (1ULL << 8)
#define MCG_SER_P               (1ULL << 24)
#define MCG_LMCE_P              (1ULL << 27)

#define MSR_MTRR_DEF_TYPE        0x2ff
#define MTRR_DEF_TYPE_ENABLE     (1ULL << 11)
#define MTRR_TYPE_WRBACK         6
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define FEATURE_CONTROL_LOCKED   (1ULL << 0)
#define FEATURE_CONTROL_LMCE     (1ULL << 20)

#define CR4_MCE                  (1ULL << 6)

#endif
