/* Guest-physical map of an arm64 vmras guest.
 *
 * Modelled on QEMU's "virt" board where a guest or its firmware could care:
 * RAM at 1 GiB (edk2's ArmVirtQemu hard-codes that base and expects its DT
 * there), flash at 0 (where a CPU out of reset fetches the firmware), the
 * GIC distributor and the PL011, PL031, fw_cfg and PL061 at virt's
 * addresses, so a guest's earlycon=pl011,0x9000000 and habits carried over
 * from QEMU keep working. It departs from virt where vmras differs: the
 * redistributors are one region big enough for every vCPU vmras allows,
 * instead of virt's 123 low ones plus a second region above RAM, in the
 * window virt gives its platform bus (vmras has none).
 *
 * Everything below ARM64_RAM_GPA is device space; nothing vmras places
 * before the first instruction (DTB, kernel, initrd) lives outside RAM. */
#ifndef VMRAS_ARM64_LAYOUT_H
#define VMRAS_ARM64_LAYOUT_H

#define ARM64_MiB 0x100000ULL
#define ARM64_GiB 0x40000000ULL

/* Two 64 MiB CFI flash banks (firmware code, then its variables): only a
 * UEFI boot (issue 11) maps them; a direct kernel boot leaves them empty. */
#define ARM64_FLASH_GPA        0x00000000ULL
#define ARM64_FLASH_BANK_SIZE  (64 * ARM64_MiB)
#define ARM64_FLASH_SIZE       (2 * ARM64_FLASH_BANK_SIZE)
/* The firmware vmras boots through without --firmware (Debian's
 * qemu-efi-aarch64 package: edk2's ArmVirtQemu). */
#define ARM64_DEFAULT_FIRMWARE "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"

/* GICv3, in-kernel (KVM_DEV_TYPE_ARM_VGIC_V3). The distributor is at
 * virt's address; each vCPU's redistributor is two 64 KiB frames (RD_base
 * and SGI_base), laid out back to back in vCPU order, which is the order
 * KVM assigns them in one KVM_VGIC_V3_ADDR_TYPE_REDIST region. */
#define ARM64_GICD_GPA         0x08000000ULL
#define ARM64_GICD_SIZE        0x00010000ULL
#define ARM64_GICR_STRIDE      0x00020000ULL
/* The vCPU bound of the machine. KVM's arm64 limit is 512; vmras's --cpus
 * stops at 255 on every arch, and 256 redistributors fill a round 32 MiB
 * that still ends far below RAM. One region keeps the DT's GIC node and
 * KVM's setup to one address each. */
#define ARM64_MAX_VCPUS        256
/* Inside 0x08000000-0x10000000: edk2's ArmVirtQemu maps only that window
 * as device memory (QemuVirtMemInfoLib, "miscellaneous device I/O"), so a
 * redistributor above it faults in the firmware's GICv3 driver (seen with
 * Debian's edk2 2022.11: "Synchronous Exception" a second after its
 * banner). virt's platform bus window is free here. */
#define ARM64_GICR_GPA         0x0c000000ULL
#define ARM64_GICR_SIZE        ((unsigned long long)ARM64_MAX_VCPUS * ARM64_GICR_STRIDE)
/* The redistributor region a machine of ncpus vCPUs uses. */
#define ARM64_GICR_SIZE_FOR(ncpus) ((unsigned long long)(ncpus) * ARM64_GICR_STRIDE)

/* Interrupt numbers. The DT names an SPI or PPI by its number within its
 * class; KVM_IRQ_LINE and the GIC itself use the INTID. */
#define ARM64_GIC_PPI_BASE     16
#define ARM64_GIC_SPI_BASE     32
#define ARM64_SPI_INTID(spi)   ((spi) + ARM64_GIC_SPI_BASE)
#define ARM64_PPI_INTID(ppi)   ((ppi) + ARM64_GIC_PPI_BASE)
/* The architected timer's PPIs in the DT's order (secure physical,
 * non-secure physical, virtual, hypervisor). The virtual and physical ones
 * are KVM's defaults (INTIDs 27 and 30), so vmras need not set
 * KVM_ARM_VCPU_TIMER_IRQ_*. */
#define ARM64_PPI_TIMER_SEC_PHYS 13
#define ARM64_PPI_TIMER_PHYS     14
#define ARM64_PPI_TIMER_VIRT     11
#define ARM64_PPI_TIMER_HYP      10
/* The GIC's virtualisation maintenance interrupt (INTID 25), as the GICv3
 * binding and virt give it; only a guest that is itself a hypervisor
 * takes it. */
#define ARM64_PPI_GIC_MAINT      9

/* PL011 UART, the console (ttyAMA0): virt's address and SPI. */
#define ARM64_UART_GPA         0x09000000ULL
#define ARM64_UART_SIZE        0x00001000ULL
#define ARM64_UART_SPI         1
/* PL031 RTC and fw_cfg: edk2 needs both (issue 11); reserved here so that
 * nothing else takes virt's addresses for them. */
#define ARM64_RTC_GPA          0x09010000ULL
#define ARM64_RTC_SIZE         0x00001000ULL
#define ARM64_RTC_SPI          2
#define ARM64_FW_CFG_GPA       0x09020000ULL
#define ARM64_FW_CFG_SIZE      0x00000018ULL

/* The power button: a PL061 GPIO controller whose pin 3 is described as a
 * "gpio-keys" key sending KEY_POWER, as on virt. A device-tree guest has
 * no ACPI, so the x86 machine's ACPI power button (PNP0C0C behind a GED)
 * is not an option; the PL061 driver is built into Debian's arm64 kernel
 * (CONFIG_GPIO_PL061=y) and gpio-keys is a module of it (gpio_keys.ko),
 * and the key reaches userspace as an input event that systemd-logind or
 * busybox acpid turns into a poweroff, as the ACPI button does on x86.
 * The alternatives Linux knows for a DT guest either need the guest to
 * poll (gpio-keys-polled) or are reboot/poweroff *outputs* of the guest
 * (gpio-poweroff, syscon-poweroff), not a request to it. */
#define ARM64_GPIO_GPA         0x09030000ULL
#define ARM64_GPIO_SIZE        0x00001000ULL
#define ARM64_GPIO_SPI         7
#define ARM64_POWER_BUTTON_PIN 3
#define ARM64_KEY_POWER        116   /* KEY_POWER, linux/input-event-codes.h */

/* pvpanic on MMIO ("qemu,pvpanic-mmio"): one byte-wide register, the same
 * protocol as the x86 machine's I/O port (devices/pvpanic.h). virt has no
 * such device; this is the address the binding's example uses. The DT
 * node says 2 bytes, as QEMU's device does; the page is vmras's. */
#define ARM64_PVPANIC_GPA      0x09060000ULL
#define ARM64_PVPANIC_SIZE     0x00000002ULL
#define ARM64_PVPANIC_PAGE     0x00001000ULL

/* ACPI Generic Event Device for a UEFI/ACPI boot (issue 11): virt's address
 * and SPI, reserved. */
#define ARM64_GED_GPA          0x09080000ULL
#define ARM64_GED_SIZE         0x00001000ULL
#define ARM64_GED_SPI          9

/* virtio-mmio devices (--disk, --net) where virt puts its own: 0x200-byte
 * windows from 0x0a000000, on SPIs from 16 up. */
#define ARM64_VIRTIO_MMIO_GPA  0x0a000000ULL
#define ARM64_VIRTIO_MMIO_STRIDE 0x200ULL
#define ARM64_VIRTIO_SPI_BASE  16
#define ARM64_VIRTIO_MAX       8

/* APEI/GHES (issue 11). The read-ack registers are MMIO, one 64-bit
 * register per source (ACPI GAS: system memory, 64 bits), so a guest's
 * acknowledge traps to vmras at once, as the x86 machine's I/O ports do.
 *
 * The error status pointers and blocks are deliberately NOT here: they
 * must be guest RAM that the guest maps as Normal memory. Linux maps a
 * GHES block with the attributes its EFI memory map gives the address,
 * and anything outside it as Device memory, where the GHES driver's
 * memcpy (unaligned, paired loads) faults. So under UEFI they go where
 * QEMU's do: in RAM the firmware allocates and marks reserved (the
 * etc/hardware_errors fw_cfg file), ARM64_GHES_MEM_SIZE bytes: a page of
 * pointers, then one block per source. A direct DT boot has no ACPI and so
 * no GHES at all. */
#define ARM64_GHES_ACK_GPA     0x090c0000ULL
#define ARM64_GHES_ACK_SIZE    0x00001000ULL
#define ARM64_GHES_ACK_STRIDE  8
#define ARM64_GHES_SOURCES_MAX 4
#define ARM64_GHES_BLOCK_SIZE  0x1000ULL
#define ARM64_GHES_MEM_SIZE    (0x1000ULL + ARM64_GHES_SOURCES_MAX * ARM64_GHES_BLOCK_SIZE)

/* RAM: one region from 1 GiB. KVM's default IPA space is 40 bits, so up to
 * 1023 GiB of RAM needs no KVM_CAP_ARM_VM_IPA_SIZE; more does. */
#define ARM64_RAM_GPA          0x40000000ULL
#define ARM64_IPA_BITS_DEFAULT 40
#define ARM64_RAM_MAX_DEFAULT_IPA ((1ULL << ARM64_IPA_BITS_DEFAULT) - ARM64_RAM_GPA)

/* What vmras loads into RAM for a direct kernel boot (arm64/image.h does
 * the placing):
 *  - the DTB at the start of RAM, where edk2 keeps it too, alone in its
 *    2 MiB block: Linux maps the DTB's 2 MiB cacheable early on, and
 *    booting.rst caps a DTB at 2 MiB;
 *  - the kernel's 2 MiB-aligned base right after, so the kernel sits as
 *    close to the start of RAM as booting.rst asks of kernels whose
 *    header does not say "anywhere";
 *  - the initrd after the kernel's image_size footprint, which keeps it in
 *    the 1 GiB-aligned, at most 32 GiB window that also holds the kernel
 *    (booting.rst). */
#define ARM64_DTB_GPA          ARM64_RAM_GPA
#define ARM64_DTB_MAX          (2 * ARM64_MiB)
#define ARM64_KERNEL_BASE_GPA  (ARM64_RAM_GPA + 2 * ARM64_MiB)

#endif
