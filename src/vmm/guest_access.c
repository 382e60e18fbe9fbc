#include "vmm/guest_access.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "vmm/machine.h"
#include "vmm/ras.h"
#include "vmm/sigbus.h"

/* A copy may span regions (the x86 hole does not, but a descriptor table
 * may end where a region ends and the next begins): one piece per region. */
static int copy(struct guest_access *ga, uint64_t gpa, void *buf, size_t len, bool to_guest, uint64_t *bad)
{
	uint8_t *p = buf;

	while (len) {
		const struct ram_region *r = guest_ram_find_gpa(&ga->m->ram, gpa, 1);
		struct sigbus_fault fault;
		size_t n;
		uint8_t *hva;

		if (!r || !r->hva) {
			errno = EFAULT;
			return -1;
		}
		n = r->gpa + r->size - gpa < len ? (size_t)(r->gpa + r->size - gpa) : len;
		hva = r->hva + (gpa - r->gpa);
		if (to_guest ? sigbus_guarded_copy(hva, p, n, &fault) : sigbus_guarded_copy(p, hva, n, &fault)) {
			uint64_t page = fault.addr & ~(uintptr_t)0xfff;

			if (bad)
				*bad = r->gpa + (page - (uintptr_t)r->hva);
			ras_device_poison(ga->m, fault.addr, fault.lsb, ga->device);
			errno = EHWPOISON;
			return -1;
		}
		gpa += n;
		p += n;
		len -= n;
	}
	return 0;
}

static int ga_read(void *ctx, uint64_t gpa, void *buf, size_t len, uint64_t *bad)
{
	return copy(ctx, gpa, buf, len, false, bad);
}

static int ga_write(void *ctx, uint64_t gpa, const void *buf, size_t len, uint64_t *bad)
{
	return copy(ctx, gpa, (void *)buf, len, true, bad);
}

static void *ga_host(void *ctx, uint64_t gpa, size_t len)
{
	struct guest_access *ga = ctx;

	return guest_ram_gpa_to_hva(&ga->m->ram, gpa, len);
}

void guest_access_init(struct guest_access *ga, struct machine *m, const char *device)
{
	ga->m = m;
	ga->device = device;
	ga->mem = (struct guest_mem){ .ctx = ga, .read = ga_read, .write = ga_write, .host = ga_host };
}
