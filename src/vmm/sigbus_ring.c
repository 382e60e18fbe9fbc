#include "vmm/sigbus_ring.h"

#include <string.h>

#define MASK (SIGBUS_RING_SLOTS - 1)

_Static_assert((SIGBUS_RING_SLOTS & MASK) == 0, "ring size must be a power of two");
_Static_assert(__atomic_always_lock_free(sizeof(uint64_t), 0),
	       "a signal handler may only use lock-free atomics");

void sigbus_ring_init(struct sigbus_ring *r)
{
	memset(r, 0, sizeof(*r));
	for (uint64_t i = 0; i < SIGBUS_RING_SLOTS; i++)
		r->slot[i].seq = i;
}

bool sigbus_ring_push(struct sigbus_ring *r, const struct sigbus_event *ev)
{
	uint64_t pos = __atomic_load_n(&r->enqueue_pos, __ATOMIC_RELAXED);
	struct sigbus_slot *s;

	for (;;) {
		s = &r->slot[pos & MASK];
		uint64_t seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		int64_t diff = (int64_t)(seq - pos);

		if (diff == 0) {
			/* The slot is free for this position: claim the position. */
			if (__atomic_compare_exchange_n(&r->enqueue_pos, &pos, pos + 1, true,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
				break;
		} else if (diff < 0) {
			/* The consumer has not freed this slot yet: full. */
			__atomic_fetch_add(&r->dropped, 1, __ATOMIC_RELAXED);
			return false;
		} else {
			pos = __atomic_load_n(&r->enqueue_pos, __ATOMIC_RELAXED);
		}
	}
	s->ev = *ev;
	__atomic_store_n(&s->seq, pos + 1, __ATOMIC_RELEASE);
	return true;
}

bool sigbus_ring_pop(struct sigbus_ring *r, struct sigbus_event *ev)
{
	uint64_t pos = r->dequeue_pos;
	struct sigbus_slot *s = &r->slot[pos & MASK];

	if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) != pos + 1)
		return false;
	*ev = s->ev;
	/* Hand the slot to the producer one lap ahead. */
	__atomic_store_n(&s->seq, pos + SIGBUS_RING_SLOTS, __ATOMIC_RELEASE);
	r->dequeue_pos = pos + 1;
	return true;
}

uint64_t sigbus_ring_take_dropped(struct sigbus_ring *r)
{
	return __atomic_exchange_n(&r->dropped, 0, __ATOMIC_RELAXED);
}
