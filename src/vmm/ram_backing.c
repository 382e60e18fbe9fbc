#include "vmm/ram_backing.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

int ram_backing_map(struct guest_ram *ram)
{
	for (unsigned i = 0; i < ram->count; i++) {
		struct ram_region *r = &ram->region[i];
		char name[64];
		void *p = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED) {
			int e = errno;
			ram_backing_unmap(ram);
			errno = e;
			return -1;
		}
		r->hva = p;
		r->backing = RAM_BACKING_ANON;
		/* Lets an operator or the fault injector find guest RAM in
		 * /proc/PID/maps; kernels without CONFIG_ANON_VMA_NAME refuse, harmlessly. */
		snprintf(name, sizeof(name), "vmras:%s", r->name);
		(void)prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, r->size, (unsigned long)name);
	}
	return 0;
}

void ram_backing_unmap(struct guest_ram *ram)
{
	for (unsigned i = 0; i < ram->count; i++) {
		struct ram_region *r = &ram->region[i];
		if (r->hva)
			munmap(r->hva, r->size);
		r->hva = NULL;
	}
}
