#include "vmm/ram_backing.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "ras/verdict.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif
#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT 26
#endif

static uint64_t pool_value(unsigned shift, const char *name, bool *ok)
{
	char dir[64], path[128], text[32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", ram_backend_sysfs_dir(shift, dir, sizeof(dir)), name);
	f = fopen(path, "re");
	if (!f || !fgets(text, sizeof(text), f)) {
		*ok = false;
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	return strtoull(text, NULL, 10);
}

/* What a new mapping of 2^shift-byte hugepages can get now; false when the
 * pool's counters cannot be read. */
static bool pool_available(unsigned shift, uint64_t *available)
{
	bool ok = true;
	uint64_t free = pool_value(shift, "free_hugepages", &ok), resv = pool_value(shift, "resv_hugepages", &ok);
	uint64_t over = pool_value(shift, "nr_overcommit_hugepages", &ok);
	uint64_t surplus = pool_value(shift, "surplus_hugepages", &ok);

	*available = ram_backend_hugepages_available(free, resv, over, surplus);
	return ok;
}

bool ram_backing_hugepages_free(unsigned shift, uint64_t *available)
{
	return pool_available(shift, available);
}

/* A hugetlb mapping reserves its pages when it is made, so a pool that
 * shrank since the check fails here, with ENOMEM, rather than as a SIGBUS
 * in the guest later. */
static void say_mmap_failed(const struct ram_region *r, unsigned shift, int err, char *why, size_t whylen)
{
	uint64_t available;

	if (err == ENOMEM && shift > RAM_PAGE_SHIFT_4K && pool_available(shift, &available) &&
	    ram_backend_check_hugepages(r->size >> shift, available, shift, why, whylen))
		return;
	snprintf(why, whylen, "cannot map %" PRIu64 " MiB of guest RAM (region %s): %s", r->size >> 20, r->name,
		 strerror(err));
}

static void say_no_pool(unsigned shift, const char *dir, char *why, size_t whylen)
{
	char page[16];

	snprintf(why, whylen, "this host has no %s hugepages (%s is missing): --memory-backend %s is not "
		 "available", mf_size_name(shift, page, sizeof(page)), dir,
		 shift == RAM_PAGE_SHIFT_1G ? "hugetlb:1G" : "hugetlb:2M");
}

/* Each region is a memfd named "vmras:<region>@0x<gpa>", so /proc/PID/maps
 * says which guest addresses a mapping holds: the fault injector, an
 * operator and a debugger can find guest RAM without asking vmras. (Naming
 * anonymous memory needs CONFIG_ANON_VMA_NAME, which Debian's kernel lacks.)
 * A memfd also gives a clean way to replace a poisoned page: punch a hole.
 * A hugetlb memfd is named the same way and shows the same in maps. */
static int map_memfds(struct guest_ram *ram, unsigned shift, char *why, size_t whylen)
{
	unsigned flags = MFD_CLOEXEC;
	bool huge = shift > RAM_PAGE_SHIFT_4K;

	if (huge)
		flags |= MFD_HUGETLB | (shift << MFD_HUGE_SHIFT);
	for (unsigned i = 0; i < ram->count; i++) {
		struct ram_region *r = &ram->region[i];
		char name[96];
		void *p;
		int fd;

		snprintf(name, sizeof(name), "vmras:%s@0x%llx", r->name, (unsigned long long)r->gpa);
		fd = memfd_create(name, flags);
		if (fd < 0 || ftruncate(fd, (off_t)r->size) < 0) {
			snprintf(why, whylen, "cannot create the memfd of guest RAM region %s: %s", r->name,
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		/* 4 KiB pages come as the guest touches them, as anonymous
		 * memory would; hugepages are reserved now (no MAP_NORESERVE). */
		p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED | (huge ? 0 : MAP_NORESERVE), fd, 0);
		if (p == MAP_FAILED) {
			say_mmap_failed(r, shift, errno, why, whylen);
			close(fd);
			return -1;
		}
		r->hva = p;
		r->fd = fd;
		r->offset = 0;
		r->page_shift = (uint8_t)shift;
		r->backing = huge ? RAM_BACKING_HUGETLB : RAM_BACKING_MEMFD;
	}
	return 0;
}

static int map_hugetlb(struct guest_ram *ram, unsigned shift, char *why, size_t whylen, bool *usage_error)
{
	char dir[64], what[16];
	uint64_t available;

	snprintf(what, sizeof(what), "hugetlb:%s", shift == RAM_PAGE_SHIFT_1G ? "1G" : "2M");
	if (ram_backend_check_layout(ram, shift, what, why, whylen)) {
		*usage_error = true;
		return -1;
	}
	ram_backend_sysfs_dir(shift, dir, sizeof(dir));
	if (access(dir, F_OK)) {
		say_no_pool(shift, dir, why, whylen);
		return -1;
	}
	if (pool_available(shift, &available) &&
	    ram_backend_check_hugepages(ram->total >> shift, available, shift, why, whylen))
		return -1;
	return map_memfds(ram, shift, why, whylen);
}

/* One file, every region at the next offset. A file this call creates is
 * given its blocks now (except on hugetlbfs, where the mapping reserves
 * them), so that a full filesystem is an error at start, not a SIGBUS in
 * the middle of the guest's run. An existing file is used as it is: its
 * contents are the point, and its poisoned pages must not be touched. */
static int map_file(struct guest_ram *ram, const char *path, char *why, size_t whylen, bool *usage_error,
		    bool *created)
{
	struct stat st;
	struct statfs sfs;
	unsigned shift;
	uint64_t offset = 0;
	char what[64];
	int fd;

	snprintf(what, sizeof(what), "file:%.58s", path);
	*usage_error = true;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		*created = fd >= 0;
	}
	if (fd < 0) {
		snprintf(why, whylen, "cannot open --memory-backend file:%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || fstatfs(fd, &sfs)) {
		snprintf(why, whylen, "cannot inspect --memory-backend file:%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "--memory-backend file:%s is not a regular file (a DAX device is not supported: "
			 "use a file on a filesystem mounted with -o dax)", path);
		goto fail;
	}
	shift = ram_backend_fs_page_shift((uint64_t)sfs.f_type, (uint64_t)sfs.f_bsize);
	if (!shift) {
		snprintf(why, whylen, "--memory-backend file:%s is on hugetlbfs with %llu-byte pages, which vmras "
			 "cannot use", path, (unsigned long long)sfs.f_bsize);
		goto fail;
	}
	if (ram_backend_check_layout(ram, shift, what, why, whylen) ||
	    ram_backend_check_file_size(path, (uint64_t)st.st_size, ram->total, why, whylen))
		goto fail;
	*usage_error = false;
	if (st.st_size == 0) {
		int err = ftruncate(fd, (off_t)ram->total) ? errno : 0;

		if (!err && shift == RAM_PAGE_SHIFT_4K)
			err = fallocate(fd, 0, 0, (off_t)ram->total) ? errno : 0;
		/* Some filesystems cannot preallocate: the size alone then. */
		if (err == EOPNOTSUPP)
			err = 0;
		if (err) {
			snprintf(why, whylen, "cannot size --memory-backend file:%s to %" PRIu64 " bytes: %s", path,
				 ram->total, strerror(err));
			goto fail;
		}
	}
	for (unsigned i = 0; i < ram->count; i++) {
		struct ram_region *r = &ram->region[i];
		int rfd = i ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : fd;
		void *p;

		if (rfd < 0) {
			snprintf(why, whylen, "cannot map --memory-backend file:%s: %s", path, strerror(errno));
			goto fail;
		}
		p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, (off_t)offset);
		if (p == MAP_FAILED) {
			say_mmap_failed(r, shift, errno, why, whylen);
			if (rfd != fd)
				close(rfd);
			goto fail;
		}
		r->hva = p;
		r->fd = rfd;
		r->offset = offset;
		r->page_shift = (uint8_t)shift;
		r->backing = RAM_BACKING_FILE;
		offset += r->size;
	}
	return 0;
fail:
	/* Region 0 owns fd once it is mapped; the caller's unmap closes it. */
	if (!ram->count || ram->region[0].fd != fd)
		close(fd);
	return -1;
}

int ram_backing_map(struct guest_ram *ram, const struct ram_backend *b, char *why, size_t whylen,
		    bool *usage_error)
{
	bool created = false;
	int rc;

	*usage_error = false;
	for (unsigned i = 0; i < ram->count; i++) {
		ram->region[i].hva = NULL;
		ram->region[i].fd = -1;
	}
	if (!b || b->kind == RAM_BACKEND_MEMFD)
		rc = map_memfds(ram, RAM_PAGE_SHIFT_4K, why, whylen);
	else if (b->kind == RAM_BACKEND_HUGETLB)
		rc = map_hugetlb(ram, b->page_shift, why, whylen, usage_error);
	else
		rc = map_file(ram, b->path, why, whylen, usage_error, &created);
	if (rc) {
		int e = errno;
		ram_backing_unmap(ram);
		if (created)
			unlink(b->path);
		errno = e;
	}
	return rc;
}

void ram_backing_unmap(struct guest_ram *ram)
{
	for (unsigned i = 0; i < ram->count; i++) {
		struct ram_region *r = &ram->region[i];
		if (r->hva)
			munmap(r->hva, r->size);
		if (r->fd >= 0)
			close(r->fd);
		r->hva = NULL;
		r->fd = -1;
	}
}
