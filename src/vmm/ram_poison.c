#include "vmm/ram_poison.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096u
#define CHUNK_PAGES 4096u   /* 16 MiB of guest RAM per read: 32 KiB of pagemap */

int ram_poison_probe(const struct ram_region *r, uint64_t gpa)
{
	char byte;
	ssize_t n;

	if (r->fd < 0 || gpa < r->gpa || gpa - r->gpa >= r->size)
		return -1;
	do
		n = pread(r->fd, &byte, 1, (off_t)(ram_region_offset(r, gpa) & ~(uint64_t)(PAGE - 1)));
	while (n < 0 && errno == EINTR);
	if (n == 1)
		return 0;
	return n < 0 && errno == EIO ? 1 : -1;
}

static long scan_region(int pagemap, const struct ram_region *r, uint64_t *entries, unsigned char *resident,
			ram_poison_found_fn *found, void *opaque)
{
	uint64_t pages = r->size / PAGE;
	uint64_t page_pages = (UINT64_C(1) << ram_region_page_shift(r)) / PAGE;
	long hits = 0;

	for (uint64_t first = 0; first < pages; first += CHUNK_PAGES) {
		uint64_t n = pages - first < CHUNK_PAGES ? pages - first : CHUNK_PAGES;
		uint8_t *hva = r->hva + first * PAGE;
		off_t at = (off_t)((uintptr_t)hva / PAGE * sizeof(uint64_t));
		size_t want = n * sizeof(uint64_t), got = 0;

		while (got < want) {
			ssize_t k = pread(pagemap, (char *)entries + got, want - got, at + (off_t)got);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				return -1;
			got += (size_t)k;
		}
		if (mincore(hva, n * PAGE, resident))
			return -1;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t gpa = r->gpa + (first + i) * PAGE;
			if (ram_poison_candidate(entries[i], resident[i]) && ram_poison_probe(r, gpa) == 1) {
				found(opaque, r, gpa);
				hits++;
				/* A hugepage is lost whole: its other 4 KiB pages
				 * would each say so again. On to the next one. */
				i += (page_pages - 1) - ((first + i) & (page_pages - 1));
			}
		}
	}
	return hits;
}

long ram_poison_scan(const struct guest_ram *ram, ram_poison_found_fn *found, void *opaque)
{
	uint64_t *entries = malloc(CHUNK_PAGES * sizeof(*entries));
	unsigned char *resident = malloc(CHUNK_PAGES);
	int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	long total = 0;
	int err = 0;

	if (!entries || !resident || pagemap < 0) {
		err = pagemap < 0 ? errno : ENOMEM;
		total = -1;
		goto out;
	}
	for (unsigned i = 0; i < ram->count; i++) {
		const struct ram_region *r = &ram->region[i];
		long n;

		if (!r->hva || r->fd < 0)
			continue;
		n = scan_region(pagemap, r, entries, resident, found, opaque);
		if (n < 0) {
			err = errno;
			total = -1;
			break;
		}
		total += n;
	}
out:
	if (pagemap >= 0)
		close(pagemap);
	free(entries);
	free(resident);
	if (total < 0)
		errno = err;
	return total;
}

#define READ_CHUNK (1u << 20)

/* r's part of its backing file, data extents only. */
static long scan_backing_region(const struct ram_region *r, uint8_t *buf, ram_poison_found_fn *found,
				void *opaque, uint64_t *scanned)
{
	off_t off = (off_t)r->offset, end = (off_t)(r->offset + r->size);
	/* The backing loses whole pages of its own size (a hugetlbfs file: 2 MiB). */
	off_t page = (off_t)1 << ram_region_page_shift(r);
	long hits = 0;

	while (off < end) {
		off_t data = lseek(r->fd, off, SEEK_DATA), hole;

		/* ENXIO: no data past off. EINVAL: a file system without
		 * SEEK_DATA, where the whole rest counts as data. */
		if (data < 0 && errno == ENXIO)
			break;
		if (data < 0 && errno != EINVAL)
			return -1;
		if (data < 0) {
			data = off;
			hole = end;
		} else {
			hole = lseek(r->fd, data, SEEK_HOLE);
			if (hole < 0)
				hole = end;
		}
		if (data >= end)
			break;
		if (hole > end)
			hole = end;
		off = data & ~(page - 1);
		while (off < hole) {
			size_t want = (size_t)(hole - off) < READ_CHUNK ? (size_t)(hole - off) : READ_CHUNK;
			ssize_t n = pread(r->fd, buf, want, off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EIO) {
				/* The read stopped before this page, or it is the first. */
				off &= ~(page - 1);
				found(opaque, r, r->gpa + ((uint64_t)off - r->offset));
				hits++;
				off += page;
				continue;
			}
			if (n < 0)
				return -1;
			if (n == 0)
				return hits;   /* shorter than the region: the rest reads as nothing */
			off += n;
			*scanned += (uint64_t)n;
		}
	}
	return hits;
}

long ram_poison_scan_backing(const struct guest_ram *ram, ram_poison_found_fn *found, void *opaque,
			     uint64_t *scanned)
{
	uint8_t *buf = malloc(READ_CHUNK);
	uint64_t bytes = 0;
	long total = 0;

	if (!buf)
		return -1;
	for (unsigned i = 0; i < ram->count; i++) {
		const struct ram_region *r = &ram->region[i];
		long n;

		/* Memfds start empty; only a file can hold poison from before. */
		if (r->fd < 0 || r->backing != RAM_BACKING_FILE)
			continue;
		n = scan_backing_region(r, buf, found, opaque, &bytes);
		if (n < 0) {
			int e = errno;
			free(buf);
			errno = e;
			return -1;
		}
		total += n;
	}
	free(buf);
	if (scanned)
		*scanned = bytes;
	return total;
}
