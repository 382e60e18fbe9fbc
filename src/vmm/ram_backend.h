/* What host memory --memory-backend asks for behind guest RAM, and the checks
 * that decide whether the host can give it. Pure: the option's grammar and
 * every size rule are unit-tested; ram_backing.c reads the host's numbers
 * (sysfs, fstat, fstatfs) and calls these with them.
 *
 *   memfd          one memfd per region, 4 KiB pages (the default)
 *   hugetlb[:2M]   one hugetlb memfd per region, 2 MiB pages
 *   hugetlb:1G     the same with 1 GiB pages
 *   file:PATH      one file holding every region at consecutive offsets,
 *                  mapped shared: on tmpfs, hugetlbfs or a DAX filesystem
 *                  its contents (and its poison) outlive vmras. Its page
 *                  size is its filesystem's (hugetlbfs: the mount's). */
#ifndef VMRAS_VMM_RAM_BACKEND_H
#define VMRAS_VMM_RAM_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_ram.h"

#define RAM_PAGE_SHIFT_4K 12
#define RAM_PAGE_SHIFT_2M 21
#define RAM_PAGE_SHIFT_1G 30

/* statfs f_type of hugetlbfs (linux/magic.h HUGETLBFS_MAGIC). */
#define RAM_HUGETLBFS_MAGIC 0x958458f6u

enum ram_backend_kind {
	RAM_BACKEND_MEMFD,
	RAM_BACKEND_HUGETLB,
	RAM_BACKEND_FILE,
};

struct ram_backend {
	enum ram_backend_kind kind;
	/* memfd: 12; hugetlb: 21 or 30; file: 0 until the file's filesystem is known. */
	unsigned page_shift;
	const char *path;          /* file: the path (points into the option's text) */
};

/* "memfd", "hugetlb", "hugetlb:2M", "hugetlb:1G", "file:PATH". Returns 0, or
 * -1 with one line in err. */
int ram_backend_parse(const char *text, struct ram_backend *b, char *err, size_t errlen);

/* How the option spells b, for messages: "hugetlb:2M", "file:/dev/hugepages/vm". */
const char *ram_backend_name(const struct ram_backend *b, char *buf, size_t len);

/* The page size of a file's filesystem from fstatfs: hugetlbfs pages are
 * its block size; anything else (tmpfs, ext4/xfs with DAX) maps 4 KiB
 * pages. 0 when hugetlbfs reports a block size that is no power of two
 * from 4 KiB to 1 GiB. */
unsigned ram_backend_fs_page_shift(uint64_t f_type, uint64_t f_bsize);

/* Every region must start and end on a page of 2^shift bytes: a hugepage
 * cannot be split between a region and the hole beside it. x86 splits RAM
 * around its 32-bit hole, so a total that is a multiple of the page is not
 * enough by itself. what names the backing for the message. Returns 0, or
 * -1 with one line in err. */
int ram_backend_check_layout(const struct guest_ram *ram, unsigned shift, const char *what,
			     char *err, size_t errlen);

/* Hugepages the kernel can still hand out to a new mapping: free minus
 * those reserved for mappings not yet touched, plus what overcommit allows
 * beyond the pool. */
uint64_t ram_backend_hugepages_available(uint64_t free, uint64_t resv, uint64_t overcommit, uint64_t surplus);

/* need pages of 2^shift bytes against available. Returns 0, or -1 with one
 * line in err naming both numbers and the knob that sets the pool. */
int ram_backend_check_hugepages(uint64_t need, uint64_t available, unsigned shift, char *err, size_t errlen);

/* The sysfs folder of the 2^shift-byte hugepage pool:
 * "/sys/kernel/mm/hugepages/hugepages-2048kB". */
const char *ram_backend_sysfs_dir(unsigned shift, char *buf, size_t len);

/* An existing backing file must be exactly the size of guest RAM: a
 * shorter one would fault (SIGBUS) beyond its end, a longer one means it
 * was made for another guest. An empty file is taken as new and sized.
 * Returns 0, or -1 with one line in err naming both sizes. */
int ram_backend_check_file_size(const char *path, uint64_t have, uint64_t want, char *err, size_t errlen);

#endif
