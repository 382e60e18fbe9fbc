/* QEMU's firmware configuration device (fw_cfg) on MMIO, with its DMA
 * interface, as QEMU's docs/specs/fw_cfg.rst and edk2's QemuFwCfgLibMmio
 * use it: the way UEFI firmware built for QEMU (edk2's ArmVirtQemu) finds
 * the kernel, initrd and command line it boots, its ACPI tables and table
 * loader, and its boot options. The guest selects an item by its 16-bit key,
 * then reads the item's bytes as a stream through the data register or has
 * the device copy them into its memory (DMA).
 *
 * Items: the device's own (signature "QEMU", ID, file directory), the
 * well-known keys below 0x20 that the machine fills (kernel, initrd, ...),
 * optional arch-local keys from 0x8000, and named files, which the
 * directory lists sorted by name and which take the keys from 0x20 in that
 * order. An item the machine did not add reads as zeros, and a file it did
 * not add is absent from the directory.
 *
 * Pure device model: no KVM, no threads. The caller serialises every call
 * on one struct fw_cfg (the machine holds a mutex around fw_cfg_access from
 * its vCPU threads, and around adding items). Guest memory is reached
 * through struct fw_cfg_mem only, during fw_cfg_access. */
#ifndef VMRAS_DEVICES_FW_CFG_H
#define VMRAS_DEVICES_FW_CFG_H

#include <stdbool.h>
#include <stdint.h>

/* MMIO layout (arm virt's): an 8-byte data register, the 16-bit selector,
 * the 64-bit DMA address register. Selector and DMA address are
 * big-endian; the data register gives the item's bytes in stream order
 * (data[0] is the next byte) whatever the width, 1 to 8. */
#define FW_CFG_MMIO_DATA     0x00
#define FW_CFG_MMIO_SELECTOR 0x08
#define FW_CFG_MMIO_DMA      0x10
#define FW_CFG_MMIO_SIZE     0x18

/* Well-known keys. Numbers are little-endian unless said otherwise. */
#define FW_CFG_SIGNATURE     0x00  /* "QEMU" */
#define FW_CFG_ID            0x01  /* le32 features: FW_CFG_ID_* */
#define FW_CFG_UUID          0x02
#define FW_CFG_RAM_SIZE      0x03
#define FW_CFG_NOGRAPHIC     0x04
#define FW_CFG_NB_CPUS       0x05  /* le16 */
#define FW_CFG_MACHINE_ID    0x06
#define FW_CFG_KERNEL_ADDR   0x07
#define FW_CFG_KERNEL_SIZE   0x08  /* le32 */
#define FW_CFG_KERNEL_CMDLINE 0x09
#define FW_CFG_INITRD_ADDR   0x0a
#define FW_CFG_INITRD_SIZE   0x0b  /* le32 */
#define FW_CFG_BOOT_DEVICE   0x0c
#define FW_CFG_NUMA          0x0d
#define FW_CFG_BOOT_MENU     0x0e  /* le16: 1 shows edk2's boot menu */
#define FW_CFG_MAX_CPUS      0x0f
#define FW_CFG_KERNEL_ENTRY  0x10
#define FW_CFG_KERNEL_DATA   0x11
#define FW_CFG_INITRD_DATA   0x12
#define FW_CFG_CMDLINE_ADDR  0x13
#define FW_CFG_CMDLINE_SIZE  0x14  /* le32, the NUL included */
#define FW_CFG_CMDLINE_DATA  0x15  /* NUL-terminated */
#define FW_CFG_SETUP_ADDR    0x16
#define FW_CFG_SETUP_SIZE    0x17  /* x86 bzImage setup; arm: absent (0) */
#define FW_CFG_SETUP_DATA    0x18
#define FW_CFG_FILE_DIR      0x19  /* be32 count, then struct fw_cfg_dir_entry[] */
#define FW_CFG_FILE_FIRST    0x20
/* Key bits: an arch-local item; "write through the data register"
 * (ignored: it selects the same item, and data-register writes are
 * dropped, as in QEMU since 2.4). */
#define FW_CFG_ARCH_LOCAL    0x8000
#define FW_CFG_WRITE_CHANNEL 0x4000
#define FW_CFG_ENTRY_MASK    0x3fff

#define FW_CFG_ID_TRADITIONAL (1u << 0)
#define FW_CFG_ID_DMA         (1u << 1)

/* Reading the DMA address register returns "QEMU CFG" (big-endian). */
#define FW_CFG_DMA_SIGNATURE 0x51454d5520434647ULL

/* The guest's DMA descriptor, all fields big-endian, control first. */
#define FW_CFG_DMA_ERROR  0x01
#define FW_CFG_DMA_READ   0x02
#define FW_CFG_DMA_SKIP   0x04
#define FW_CFG_DMA_SELECT 0x08  /* key in control's upper 16 bits */
#define FW_CFG_DMA_WRITE  0x10
#define FW_CFG_DMA_DESC_SIZE 16

#define FW_CFG_NAME_SIZE   56   /* a file's name, its NUL included */
#define FW_CFG_DIR_ENTRY_SIZE 64 /* be32 size, be16 select, be16 0, name */
#define FW_CFG_MAX_FILES   64
#define FW_CFG_ARCH_ITEMS  0x20 /* arch-local keys 0x8000-0x801f */

/* Guest memory as the DMA interface sees it. Each returns 0 when all of
 * [gpa, gpa + len) is guest RAM and was copied, else -1 (the device then
 * sets the error bit); it must cope with any gpa and len the guest writes. */
struct fw_cfg_mem {
	void *opaque;
	int (*read)(void *opaque, uint64_t gpa, void *buf, uint64_t len);
	int (*write)(void *opaque, uint64_t gpa, const void *buf, uint64_t len);
};

/* After a DMA write into a writable file: data is the whole file now (len
 * bytes, the device's copy), and [offset, offset + count) what the guest
 * just wrote. Called from fw_cfg_access, so on a vCPU thread under the
 * caller's lock: it must not call back into this fw_cfg. */
typedef void (*fw_cfg_write_fn)(void *opaque, const uint8_t *data, uint32_t len, uint32_t offset, uint32_t count);

struct fw_cfg_item {
	const uint8_t *data;       /* NULL: absent, reads as zeros */
	uint32_t len;
	uint8_t *copy;             /* the device's own copy (== data), or NULL if borrowed */
	bool writable;             /* by DMA write; always a copy */
	fw_cfg_write_fn write;
	void *write_opaque;
};

struct fw_cfg_file {
	char name[FW_CFG_NAME_SIZE];
	struct fw_cfg_item item;
};

struct fw_cfg {
	struct fw_cfg_item generic[FW_CFG_FILE_FIRST];
	struct fw_cfg_item arch[FW_CFG_ARCH_ITEMS];
	struct fw_cfg_file file[FW_CFG_MAX_FILES];   /* sorted by name; key FW_CFG_FILE_FIRST + index */
	unsigned nfiles;
	uint8_t id[4];
	uint8_t dir[4 + FW_CFG_DIR_ENTRY_SIZE * FW_CFG_MAX_FILES];
	/* Guest-visible state. */
	uint16_t key;              /* as selected, FW_CFG_WRITE_CHANNEL masked off */
	uint32_t offset;           /* into the selected item; stops at its end */
	uint64_t dma_addr;         /* high half written, low half pending */
	struct fw_cfg_mem mem;
};

/* Signature, ID (DMA offered) and an empty directory; nothing else. */
void fw_cfg_init(struct fw_cfg *f, const struct fw_cfg_mem *mem);
/* Frees the device's copies. Borrowed data stays the caller's. */
void fw_cfg_destroy(struct fw_cfg *f);
/* Guest reset: the signature selected, offset 0, no DMA address half
 * written. Items and files are kept, writable files with what the guest
 * wrote (a machine that rebuilds them calls fw_cfg_clear, then adds them
 * again, before the guest runs). */
void fw_cfg_reset(struct fw_cfg *f);
/* Drops every item and file the machine added (freeing the copies) and
 * resets the device; the signature and ID stay. */
void fw_cfg_clear(struct fw_cfg *f);

/* Adding items: each returns 0, or -1 when the key is not one the machine
 * may fill (the signature, ID, directory and file keys are the device's;
 * well-known keys below FW_CFG_FILE_FIRST and arch-local keys below
 * FW_CFG_ARCH_LOCAL + FW_CFG_ARCH_ITEMS are), when out of memory, or for a
 * file: a name empty or longer than FW_CFG_NAME_SIZE - 1, or no slot left.
 * Adding a key or file name again replaces its contents (a file keeps its
 * key).
 *
 * "Borrowed" data is not copied: it must stay valid and unchanged until
 * the item is replaced, fw_cfg_clear or fw_cfg_destroy (meant for the
 * kernel and initrd, tens of MiB the machine keeps mapped anyway). The
 * other calls copy. */
int fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data, uint32_t len);   /* borrowed */
int fw_cfg_add_copy(struct fw_cfg *f, uint16_t key, const void *data, uint32_t len);
int fw_cfg_add_i16(struct fw_cfg *f, uint16_t key, uint16_t v);                         /* little-endian */
int fw_cfg_add_i32(struct fw_cfg *f, uint16_t key, uint32_t v);
int fw_cfg_add_i64(struct fw_cfg *f, uint16_t key, uint64_t v);
int fw_cfg_add_string(struct fw_cfg *f, uint16_t key, const char *s);                   /* with its NUL */
int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, uint32_t len); /* borrowed */
int fw_cfg_add_file_copy(struct fw_cfg *f, const char *name, const void *data, uint32_t len);
/* A file the guest may overwrite by DMA (never resize): a copy of init,
 * then what the guest writes; write (may be NULL) hears of each write.
 * QEMU's table loader WRITE_POINTER targets, e.g. etc/hardware_errors_addr. */
int fw_cfg_add_file_writable(struct fw_cfg *f, const char *name, const void *init, uint32_t len,
			     fw_cfg_write_fn write, void *opaque);
/* What the Linux boot needs, as QEMU's arm boot gives it: kernel and
 * initrd (borrowed; initrd may be NULL) with their sizes, and the command
 * line (copied, NUL included; NULL: none). */
int fw_cfg_set_kernel(struct fw_cfg *f, const void *kernel, uint32_t kernel_len, const void *initrd,
		      uint32_t initrd_len, const char *cmdline);

/* A file's contents now, and its key if key is not NULL; NULL if absent. */
const uint8_t *fw_cfg_file(const struct fw_cfg *f, const char *name, uint32_t *len, uint16_t *key);

/* One guest access at offset in the FW_CFG_MMIO_SIZE window, size 1 to 8
 * bytes (a bus_handler's arguments). Data: reads at offset 0 only, any
 * width; writes ignored. Selector: 2-byte writes. DMA address: reads give
 * the signature; a 4-byte write at +0 sets the high half, one at +4 the low
 * half and starts the transfer, an 8-byte write at +0 both and starts it.
 * Any other access reads zeros and writes nothing; nothing a guest does
 * makes it fail. A transfer runs to its end inside this call. */
void fw_cfg_access(struct fw_cfg *f, uint64_t offset, bool is_write, uint8_t *data, unsigned size);

struct dt_writer;
struct aml;
/* How the guest finds the device: a DT node ("qemu,fw-cfg-mmio",
 * dma-coherent; #address-cells = #size-cells = 2 in its parent, as edk2
 * asserts; a size of at least 0x18 makes edk2 use DMA), or an ACPI device
 * (_HID QEMU0002) for the OS once the firmware is done. */
void fw_cfg_dt(struct dt_writer *w, const char *node, uint64_t base, uint64_t size);
void fw_cfg_aml(struct aml *a, uint32_t base, uint32_t size);

#endif
