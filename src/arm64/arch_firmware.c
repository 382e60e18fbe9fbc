/* The flash banks under KVM. A bank in read-array mode is a read-only
 * memory slot over its buffer: the guest fetches and reads it without
 * exits, and its writes (commands) exit as MMIO to the model. A command
 * that leaves read-array mode removes the slot, so the status, ID and
 * query reads that follow reach the model; going back to read array maps
 * the slot again. QEMU's pflash does the same ("romd" mode). */
#include "arm64/arch_firmware.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/kvm.h>

#include "arm64/layout.h"
#include "kvm/kvm.h"
#include "vmm/guest_ram.h"
#include "vmm/log.h"
#include "vmm/machine.h"

/* After every slot guest RAM can take. */
#define FLASH_SLOT(i) (GUEST_RAM_MAX_REGIONS + (i))

static uint64_t bank_gpa(unsigned i)
{
	return ARM64_FLASH_GPA + i * ARM64_FLASH_BANK_SIZE;
}

int arm64_firmware_init(struct machine *m, char *why, size_t whylen)
{
	struct machine_arch *a = &m->arch;

	if (mapped_file_open(&a->firmware, m->opts->firmware, why, whylen))
		return -1;
	if (a->firmware.size == 0 || a->firmware.size > ARM64_FLASH_BANK_SIZE) {
		snprintf(why, whylen, "--firmware '%s': %zu bytes; a firmware image has 1 byte to 64 MiB (one flash bank)",
			 m->opts->firmware, a->firmware.size);
		return -1;
	}
	pthread_mutex_init(&a->flash_lock, NULL);
	for (unsigned i = 0; i < 2; i++) {
		struct arm64_flash_bank *b = &a->flash[i];
		void *p = mmap(NULL, ARM64_FLASH_BANK_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED) {
			snprintf(why, whylen, "cannot allocate the flash banks: %s", strerror(errno));
			return -1;
		}
		b->m = m;
		b->index = i;
		b->mem = p;
		/* Erased: what blank variables look like to edk2, which then
		 * formats its store. */
		memset(b->mem, 0xff, ARM64_FLASH_BANK_SIZE);
		cfi_flash_init(&b->dev, b->mem, ARM64_FLASH_BANK_SIZE);
	}
	return 0;
}

void arm64_firmware_destroy(struct machine *m)
{
	struct machine_arch *a = &m->arch;

	for (unsigned i = 0; i < 2; i++) {
		if (a->flash[i].mem)
			munmap(a->flash[i].mem, ARM64_FLASH_BANK_SIZE);
		a->flash[i].mem = NULL;
	}
	mapped_file_close(&a->firmware);
}

static int set_mapped(struct arm64_flash_bank *b, bool on)
{
	int vm_fd = b->m->vm_fd;
	int rc = on ? kvm_vm_set_memory_flags(vm_fd, FLASH_SLOT(b->index), bank_gpa(b->index), ARM64_FLASH_BANK_SIZE,
					      b->mem, KVM_MEM_READONLY)
		    : kvm_vm_set_memory_flags(vm_fd, FLASH_SLOT(b->index), bank_gpa(b->index), 0, b->mem, 0);

	if (rc == 0)
		b->mapped = on;
	return rc;
}

/* A failed slot change leaves the model answering every access by MMIO:
 * slower, never wrong, except a slot that could not be removed keeps
 * showing the array where the guest wants status. */
static void flash_access(void *opaque, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	struct arm64_flash_bank *b = opaque;
	struct machine_arch *a = &b->m->arch;

	pthread_mutex_lock(&a->flash_lock);
	cfi_flash_access(&b->dev, offset, is_write, data, size);
	if (is_write && cfi_flash_array_mode(&b->dev) != b->mapped && set_mapped(b, !b->mapped))
		log_error("flash bank %u: %s its KVM slot: %s", b->index, b->mapped ? "removing" : "adding",
			  strerror(errno));
	pthread_mutex_unlock(&a->flash_lock);
}

int arm64_firmware_devices(struct machine *m)
{
	for (unsigned i = 0; i < 2; i++)
		if (bus_register(&m->bus, BUS_MMIO, bank_gpa(i), ARM64_FLASH_BANK_SIZE, flash_access, &m->arch.flash[i]))
			return -1;
	return 0;
}

int arm64_firmware_boot(struct machine *m, char *why, size_t whylen)
{
	struct machine_arch *a = &m->arch;
	uint8_t *code = a->flash[0].mem;

	/* The guest could have programmed bank 0 through its commands. */
	memcpy(code, a->firmware.data, a->firmware.size);
	memset(code + a->firmware.size, 0xff, ARM64_FLASH_BANK_SIZE - a->firmware.size);
	pthread_mutex_lock(&a->flash_lock);
	for (unsigned i = 0; i < 2; i++) {
		struct arm64_flash_bank *b = &a->flash[i];

		cfi_flash_reset(&b->dev);
		b->mapped = false;         /* a new VM has no slots */
		if (set_mapped(b, true)) {
			pthread_mutex_unlock(&a->flash_lock);
			snprintf(why, whylen, "flash bank %u: KVM_SET_USER_MEMORY_REGION (read-only): %s", i,
				 strerror(errno));
			return -1;
		}
	}
	pthread_mutex_unlock(&a->flash_lock);
	return 0;
}
