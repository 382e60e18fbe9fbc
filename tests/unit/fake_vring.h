/* The driver's side of a split virtqueue in fake guest RAM, for tests:
 * descriptors, the available ring, and reading back the used ring. */
#ifndef VMRAS_TESTS_FAKE_VRING_H
#define VMRAS_TESTS_FAKE_VRING_H

#include "fake_guest_mem.h"
#include "devices/virtqueue.h"

#define VR_DESC (FAKE_BASE + 0x0000)
#define VR_AVAIL (FAKE_BASE + 0x1000)
#define VR_USED (FAKE_BASE + 0x2000)
#define VR_INDIRECT (FAKE_BASE + 0x3000)
#define VR_BUF (FAKE_BASE + 0x10000)

struct fake_vring {
	struct fake_mem *m;
	uint16_t num;
	uint16_t avail_idx;
	uint16_t used_seen;
};

static inline void vr_put16(struct fake_mem *m, uint64_t gpa, uint16_t v)
{
	uint8_t *p = fake_ptr(m, gpa);
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline uint16_t vr_get16(struct fake_mem *m, uint64_t gpa)
{
	uint8_t *p = fake_ptr(m, gpa);
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t vr_get32(struct fake_mem *m, uint64_t gpa)
{
	return vr_get16(m, gpa) | (uint32_t)vr_get16(m, gpa + 2) << 16;
}

static inline void vr_desc_at(struct fake_mem *m, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
			      uint16_t flags, uint16_t next)
{
	uint8_t *p = fake_ptr(m, table + 16ull * i);
	for (unsigned b = 0; b < 8; b++)
		p[b] = (uint8_t)(addr >> (8 * b));
	for (unsigned b = 0; b < 4; b++)
		p[8 + b] = (uint8_t)(len >> (8 * b));
	p[12] = (uint8_t)flags;
	p[13] = (uint8_t)(flags >> 8);
	p[14] = (uint8_t)next;
	p[15] = (uint8_t)(next >> 8);
}

static inline void vr_desc(struct fake_vring *v, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
			   uint16_t next)
{
	vr_desc_at(v->m, VR_DESC, i, addr, len, flags, next);
}

/* Makes head available and publishes the index. */
static inline void vr_avail(struct fake_vring *v, uint16_t head)
{
	vr_put16(v->m, VR_AVAIL + 4 + 2ull * (v->avail_idx % v->num), head);
	v->avail_idx++;
	vr_put16(v->m, VR_AVAIL + 2, v->avail_idx);
}

static inline void vr_set_avail_idx(struct fake_vring *v, uint16_t idx)
{
	v->avail_idx = idx;
	vr_put16(v->m, VR_AVAIL + 2, idx);
}

static inline uint16_t vr_used_idx(struct fake_vring *v)
{
	return vr_get16(v->m, VR_USED + 2);
}

static inline void vr_used_elem(struct fake_vring *v, uint16_t i, uint32_t *id, uint32_t *len)
{
	*id = vr_get32(v->m, VR_USED + 4 + 8ull * (i % v->num));
	*len = vr_get32(v->m, VR_USED + 8 + 8ull * (i % v->num));
}

static inline struct virtq_layout vr_layout(struct fake_vring *v)
{
	return (struct virtq_layout){ .num = v->num, .desc = VR_DESC, .avail = VR_AVAIL, .used = VR_USED };
}

static inline void vr_init(struct fake_vring *v, struct fake_mem *m, uint16_t num)
{
	*v = (struct fake_vring){ .m = m, .num = num };
	memset(fake_ptr(m, VR_DESC), 0, 0x4000);
}

#endif
