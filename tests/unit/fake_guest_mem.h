/* A guest_mem over an mmap'd buffer standing in for guest RAM at FAKE_BASE,
 * with pages a test declares poisoned: copies touching one fail with
 * EHWPOISON and the page is recorded as reported, as the VMM's guarded
 * copy does. fake_poison_hard also takes the page away (PROT_NONE), so a
 * system call handed its host address gets EFAULT from the real kernel, as
 * it would for a hardware-poisoned page. */
#ifndef VMRAS_TESTS_FAKE_GUEST_MEM_H
#define VMRAS_TESTS_FAKE_GUEST_MEM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "devices/guest_mem.h"

#define FAKE_BASE 0x40000000ull
#define FAKE_PAGE 4096ull
#define FAKE_MAX_POISON 16

struct fake_mem {
	uint8_t *ram;
	uint64_t size;
	uint64_t poison[FAKE_MAX_POISON];
	unsigned npoison;
	uint64_t reported[64];      /* pages reported, in order */
	unsigned nreported;
	unsigned reads, writes;
	/* Called at the start of every read, when set. */
	void (*on_read)(struct fake_mem *m);
	struct guest_mem gm;
};

static bool fake_in(struct fake_mem *m, uint64_t gpa, size_t len)
{
	return gpa >= FAKE_BASE && len <= m->size && gpa - FAKE_BASE <= m->size - len;
}

static bool fake_poisoned(struct fake_mem *m, uint64_t gpa, size_t len, uint64_t *bad)
{
	for (unsigned i = 0; i < m->npoison; i++) {
		uint64_t p = m->poison[i];
		if (len && p < gpa + len && gpa < p + FAKE_PAGE) {
			*bad = p;
			if (m->nreported < 64)
				m->reported[m->nreported++] = p;
			return true;
		}
	}
	return false;
}

static int fake_read(void *ctx, uint64_t gpa, void *buf, size_t len, uint64_t *bad)
{
	struct fake_mem *m = ctx;
	m->reads++;
	if (m->on_read)
		m->on_read(m);
	if (!fake_in(m, gpa, len)) {
		errno = EFAULT;
		return -1;
	}
	if (fake_poisoned(m, gpa, len, bad)) {
		errno = EHWPOISON;
		return -1;
	}
	memcpy(buf, m->ram + (gpa - FAKE_BASE), len);
	return 0;
}

static int fake_write(void *ctx, uint64_t gpa, const void *buf, size_t len, uint64_t *bad)
{
	struct fake_mem *m = ctx;
	m->writes++;
	if (!fake_in(m, gpa, len)) {
		errno = EFAULT;
		return -1;
	}
	if (fake_poisoned(m, gpa, len, bad)) {
		errno = EHWPOISON;
		return -1;
	}
	memcpy(m->ram + (gpa - FAKE_BASE), buf, len);
	return 0;
}

static void *fake_host(void *ctx, uint64_t gpa, size_t len)
{
	struct fake_mem *m = ctx;
	return fake_in(m, gpa, len) ? m->ram + (gpa - FAKE_BASE) : NULL;
}

static inline void fake_mem_init(struct fake_mem *m, uint64_t size)
{
	memset(m, 0, sizeof(*m));
	m->ram = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->ram == MAP_FAILED)
		m->ram = NULL;
	m->size = size;
	m->gm = (struct guest_mem){ .ctx = m, .read = fake_read, .write = fake_write, .host = fake_host };
}

static inline void fake_mem_free(struct fake_mem *m)
{
	if (m->ram)
		munmap(m->ram, m->size);
	m->ram = NULL;
}

static inline void *fake_ptr(struct fake_mem *m, uint64_t gpa)
{
	return m->ram + (gpa - FAKE_BASE);
}

static inline void fake_poison(struct fake_mem *m, uint64_t gpa)
{
	m->poison[m->npoison++] = gpa & ~(FAKE_PAGE - 1);
}

static inline int fake_poison_hard(struct fake_mem *m, uint64_t gpa)
{
	fake_poison(m, gpa);
	return mprotect(fake_ptr(m, gpa & ~(FAKE_PAGE - 1)), FAKE_PAGE, PROT_NONE);
}

#endif
