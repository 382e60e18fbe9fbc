#include "vmm/ram_backing.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Each region is a memfd named "vmras:<region>@0x<gpa>", so /proc/PID/maps
 * says which guest addresses a mapping holds: the fault injector, an
 * operator and a debugger can find guest RAM without asking vmras. (Naming
 * anonymous memory needs CONFIG_ANON_VMA_NAME, which Debian's kernel lacks.)
 * A memfd also gives a clean way to replace a poisoned page: punch a hole. */
int ram_backing_map(struct guest_ram *ram)
{
	for (unsigned i = 0; i < ram->count; i++) {
		struct ram_region *r = &ram->region[i];
		char name[96];
		void *p;
		int fd;

		snprintf(name, sizeof(name), "vmras:%s@0x%llx", r->name, (unsigned long long)r->gpa);
		fd = memfd_create(name, MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)r->size) < 0)
			goto fail;
		p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
		if (p == MAP_FAILED)
			goto fail;
		r->hva = p;
		r->fd = fd;
		r->backing = RAM_BACKING_MEMFD;
		continue;
fail:
		{
			int e = errno;
			if (fd >= 0)
				close(fd);
			ram_backing_unmap(ram);
			errno = e;
			return -1;
		}
	}
	return 0;
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
