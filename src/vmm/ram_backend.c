#include "vmm/ram_backend.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ras/verdict.h"
#include "vmm/cli.h"

int ram_backend_parse(const char *text, struct ram_backend *b, char *err, size_t errlen)
{
	memset(b, 0, sizeof(*b));
	if (!strcmp(text, "memfd")) {
		b->kind = RAM_BACKEND_MEMFD;
		b->page_shift = RAM_PAGE_SHIFT_4K;
		return 0;
	}
	if (!strcmp(text, "hugetlb") || !strcmp(text, "hugetlb:2M")) {
		b->kind = RAM_BACKEND_HUGETLB;
		b->page_shift = RAM_PAGE_SHIFT_2M;
		return 0;
	}
	if (!strcmp(text, "hugetlb:1G")) {
		b->kind = RAM_BACKEND_HUGETLB;
		b->page_shift = RAM_PAGE_SHIFT_1G;
		return 0;
	}
	if (!strncmp(text, "hugetlb:", 8))
		return cli_fail(err, errlen, "invalid --memory-backend '%s': hugetlb pages are 2M or 1G", text);
	if (!strncmp(text, "file:", 5)) {
		if (!text[5])
			return cli_fail(err, errlen, "invalid --memory-backend '%s': the file's path is empty", text);
		b->kind = RAM_BACKEND_FILE;
		b->path = text + 5;
		return 0;
	}
	return cli_fail(err, errlen, "invalid --memory-backend '%s': expected memfd, hugetlb, hugetlb:2M, hugetlb:1G "
		    "or file:PATH", text);
}

const char *ram_backend_name(const struct ram_backend *b, char *buf, size_t len)
{
	switch (b->kind) {
	case RAM_BACKEND_MEMFD:
		snprintf(buf, len, "memfd");
		break;
	case RAM_BACKEND_HUGETLB:
		snprintf(buf, len, "hugetlb:%s", b->page_shift == RAM_PAGE_SHIFT_1G ? "1G" : "2M");
		break;
	case RAM_BACKEND_FILE:
		snprintf(buf, len, "file:%s", b->path ? b->path : "");
		break;
	}
	return buf;
}

unsigned ram_backend_fs_page_shift(uint64_t f_type, uint64_t f_bsize)
{
	if ((uint32_t)f_type != RAM_HUGETLBFS_MAGIC)
		return RAM_PAGE_SHIFT_4K;
	for (unsigned shift = RAM_PAGE_SHIFT_4K; shift <= RAM_PAGE_SHIFT_1G; shift++)
		if (f_bsize == (UINT64_C(1) << shift))
			return shift;
	return 0;
}

/* "1000M", "1536K", "12345B": a size as --memory would take it. */
static const char *size_text(uint64_t bytes, char *buf, size_t len)
{
	if (bytes && !(bytes & ((UINT64_C(1) << 20) - 1)))
		snprintf(buf, len, "%" PRIu64 "M", bytes >> 20);
	else if (bytes && !(bytes & 1023))
		snprintf(buf, len, "%" PRIu64 "K", bytes >> 10);
	else
		snprintf(buf, len, "%" PRIu64 "B", bytes);
	return buf;
}

int ram_backend_check_layout(const struct guest_ram *ram, unsigned shift, const char *what,
			     char *err, size_t errlen)
{
	uint64_t mask = (UINT64_C(1) << shift) - 1;
	char page[16], total[32];

	mf_size_name(shift, page, sizeof(page));
	if (ram->total & mask)
		return cli_fail(err, errlen, "--memory %s is not a multiple of %s, the page size of --memory-backend %s",
			    size_text(ram->total, total, sizeof(total)), page, what);
	for (unsigned i = 0; i < ram->count; i++) {
		const struct ram_region *r = &ram->region[i];

		if ((r->gpa | r->size) & mask)
			return cli_fail(err, errlen, "guest RAM region %s (0x%" PRIx64 "-0x%" PRIx64 ") does not start and "
				    "end on a %s page of --memory-backend %s: a page cannot straddle the region's "
				    "edge (x86 moves RAM beyond 3 GiB above the 32-bit hole)", r->name, r->gpa,
				    r->gpa + r->size, page, what);
	}
	return 0;
}

uint64_t ram_backend_hugepages_available(uint64_t free, uint64_t resv, uint64_t overcommit, uint64_t surplus)
{
	uint64_t n = free > resv ? free - resv : 0;

	return n + (overcommit > surplus ? overcommit - surplus : 0);
}

const char *ram_backend_sysfs_dir(unsigned shift, char *buf, size_t len)
{
	snprintf(buf, len, "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB", (UINT64_C(1) << shift) >> 10);
	return buf;
}

int ram_backend_check_hugepages(uint64_t need, uint64_t available, unsigned shift, char *err, size_t errlen)
{
	char page[16], knob[96];

	if (need <= available)
		return 0;
	mf_size_name(shift, page, sizeof(page));
	/* The default size has the short, well-known knob. */
	if (shift == RAM_PAGE_SHIFT_2M) {
		snprintf(knob, sizeof(knob), "/proc/sys/vm/nr_hugepages");
	} else {
		char dir[64];
		snprintf(knob, sizeof(knob), "%s/nr_hugepages", ram_backend_sysfs_dir(shift, dir, sizeof(dir)));
	}
	return cli_fail(err, errlen, "guest RAM needs %" PRIu64 " %s hugepages, %" PRIu64 " free (see %s)", need, page,
		    available, knob);
}

int ram_backend_check_file_size(const char *path, uint64_t have, uint64_t want, char *err, size_t errlen)
{
	if (have == 0 || have == want)
		return 0;
	return cli_fail(err, errlen, "--memory-backend file:%s is %" PRIu64 " bytes, but guest RAM (--memory) is %" PRIu64
		    " bytes: use a file of that size, or a new one", path, have, want);
}
