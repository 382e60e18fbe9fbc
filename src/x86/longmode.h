/* CPU state for entering a Linux kernel at its 64-bit entry point: flat GDT
 * with __BOOT_CS=0x10 and __BOOT_DS=0x18, identity-mapped page tables and
 * long mode on. Pure: fills guest memory and KVM's register structs. */
#ifndef VMRAS_X86_LONGMODE_H
#define VMRAS_X86_LONGMODE_H

#include <linux/kvm.h>
#include <stdint.h>

#include "vmm/guest_ram.h"

#define X86_BOOT_CS 0x10
#define X86_BOOT_DS 0x18
#define X86_BOOT_TSS 0x20
#define X86_BOOT_STACK 0x8ff0ULL
#define X86_IDENTITY_MAP_SIZE (4ULL << 30)

/* Writes the GDT and the identity map of the first 4 GiB (2 MiB pages). */
int x86_write_boot_tables(const struct guest_ram *ram);

void x86_long_mode_sregs(struct kvm_sregs *sregs);
void x86_boot_regs(struct kvm_regs *regs, uint64_t entry, uint64_t boot_params);

#endif
