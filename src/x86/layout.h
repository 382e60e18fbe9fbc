/* Guest-physical memory map of an x86 vmras guest.
 *
 * Everything vmras places in guest memory before the first instruction lives
 * below 1 MiB, in areas the e820 map reports as reserved or that Linux
 * reclaims after boot, so the kernel can never be loaded on top of them. */
#ifndef VMRAS_X86_LAYOUT_H
#define VMRAS_X86_LAYOUT_H

#define X86_GDT_GPA          0x00000500ULL
#define X86_BOOT_PARAMS_GPA  0x00007000ULL  /* the "zero page" */
#define X86_PML4_GPA         0x00009000ULL
#define X86_PDPT_GPA         0x0000a000ULL
#define X86_PD_GPA           0x0000b000ULL  /* four pages: identity map of 4 GiB */
#define X86_CMDLINE_GPA      0x00020000ULL
#define X86_CMDLINE_MAX      2048           /* COMMAND_LINE_SIZE of x86 Linux */
#define X86_EBDA_GPA         0x0009fc00ULL  /* reserved up to 0xa0000 */
#define X86_LOW_RAM_END      0x000a0000ULL
#define X86_BIOS_GPA         0x000e0000ULL  /* reserved up to 1 MiB: ACPI tables */
#define X86_BIOS_END         0x00100000ULL
#define X86_ACPI_GPA         X86_BIOS_GPA   /* RSDP must sit in E0000-FFFFF for legacy scans */
#define X86_ACPI_MAX         0x10000ULL     /* E0000-EFFFF; F0000-FFFFF is the "BIOS ROM" */
#define X86_RESET_VECTOR_GPA 0x000ffff0ULL  /* where a CPU reset (or a "BIOS reboot") starts */
#define X86_KERNEL_GPA       0x00100000ULL  /* protected-mode kernel */

/* 32-bit MMIO hole: RAM above 3 GiB is moved to 4 GiB and up. */
#define X86_MMIO_HOLE_GPA    0xc0000000ULL
#define X86_MMIO_HOLE_END    0x100000000ULL
/* virtio-mmio devices (--disk, --net): one 0x200-byte window each, low in
 * the hole, and IOAPIC pins 16-23, the ones no ISA device claims. */
#define X86_VIRTIO_MMIO_GPA  0xd0000000ULL
#define X86_VIRTIO_MMIO_STRIDE 0x200ULL
#define X86_VIRTIO_GSI_BASE  16
#define X86_VIRTIO_MAX       8
#define X86_IOAPIC_GPA       0xfec00000ULL
#define X86_LAPIC_GPA        0xfee00000ULL
/* KVM needs three pages for the VMX real-mode TSS and one for the identity
 * page table; both must be outside RAM, so they go at the top of the hole. */
#define X86_KVM_IDMAP_GPA    0xfffbc000ULL
#define X86_KVM_TSS_GPA      0xfffbd000ULL

/* Legacy I/O ports vmras emulates. */
#define X86_COM1_PORT        0x3f8
#define X86_COM1_IRQ         4
#define X86_I8042_CMD_PORT   0x64   /* 0xfe written here pulses CPU reset */
#define X86_RESET_CF9_PORT   0xcf9  /* PCI reset control register */
#define X86_PVPANIC_PORT     0x505  /* QEMU's ISA pvpanic port, where guests look first */
/* Hardware-reduced ACPI sleep and reset registers (FADT); values vmras owns. */
#define X86_ACPI_SLEEP_CTL_PORT 0x600
#define X86_ACPI_SLEEP_STS_PORT 0x601
#define X86_ACPI_RESET_PORT     0x602
#define X86_ACPI_RESET_VALUE    0x01
#define X86_ACPI_S5_SLP_TYP     5   /* the value \_S5 hands to the OS */
/* The Generic Event Device's event register (power button), next to the
 * other ACPI registers, and its interrupt. GSI 9 is the PC's SCI line, free
 * on a hardware-reduced machine (no SCI), and an ISA line whose default,
 * edge-triggered active-high with no MADT override, is what the GED's _CRS
 * asks for; COM1 has 4. */
#define X86_ACPI_GED_PORT       0x603
#define X86_ACPI_GED_GSI        9

/* APEI firmware-first error reporting (--ras ghes|both): the two GHESv2
 * sources' block pointers and error status blocks, in the reserved BIOS
 * area below the reset vector, so the guest never takes them for RAM. The
 * read-ack registers are I/O ports, so an acknowledge traps at once. The
 * action-required source is notified by an NMI, the action-optional one
 * through the GED (event bit 1, GSI 9), whose _EVT notifies the HED. */
#define X86_GHES_POINTERS_GPA   0x000f0000ULL  /* AR's pointer, then AO's */
#define X86_GHES_BLOCKS_GPA     0x000f1000ULL  /* AR's block, then AO's: 4 KiB each */
#define X86_GHES_ACK_AR_PORT    0x610
#define X86_GHES_ACK_AO_PORT    0x614

/* The Boot Error Region (ACPI BERT), present only when vmras found poisoned
 * pages in the RAM backing at start: after the GHES blocks, in the same
 * reserved BIOS area. The e820 map calls its pages ACPI NVS: Linux's BERT
 * driver requests the region as a resource, and the BIOS area below 1 MiB
 * is already busy, but NVS ranges are left out of that request (firmware
 * commonly keeps the region there). */
#define X86_BERT_REGION_GPA     0x000f4000ULL
#define X86_BERT_REGION_MAX     0x8000ULL      /* to 0xfc000: 210 pages in 35 blocks */

#endif
