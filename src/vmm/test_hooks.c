#include "vmm/test_hooks.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/log.h"

static volatile uint8_t *own_page;
static volatile uint8_t *guest_read;     /* VMRAS_TEST_READ_GPA */
static uint64_t guest_read_gpa;

/* VMRAS_TEST_READ_GPA=ADDR: SIGUSR2 reads that guest address on a thread
 * that is not a vCPU, as a device model would. */
static void setup_guest_read(const struct guest_ram *ram)
{
	const char *hook = getenv("VMRAS_TEST_READ_GPA");
	char *end;
	unsigned long long gpa;

	if (!hook)
		return;
	errno = 0;
	gpa = strtoull(hook, &end, 0);
	guest_read = errno || *end || end == hook ? NULL : guest_ram_gpa_to_hva(ram, gpa, 1);
	if (!guest_read) {
		log_error("test hook: VMRAS_TEST_READ_GPA=%s is not a guest RAM address", hook);
		return;
	}
	guest_read_gpa = gpa;
	log_info("test hook: SIGUSR2 reads guest address 0x%llx", gpa);
}

static void setup_own_page(void)
{
	const char *hook = getenv("VMRAS_TEST_OWN_PAGE");
	int fd;
	void *p;

	if (!hook || strcmp(hook, "1"))
		return;
	fd = memfd_create("vmras:own-test-page", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 4096) < 0)
		goto fail;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	memset(p, 0x5a, 4096);
	own_page = p;
	log_info("test hook: own page at %p (memfd vmras:own-test-page); SIGUSR2 reads it", p);
	return;
fail:
	log_error("test hook: cannot set up the own page: %s", strerror(errno));
}

void test_hooks_setup(const struct guest_ram *ram)
{
	setup_own_page();
	setup_guest_read(ram);
}

void test_hooks_touch(void)
{
	if (own_page)
		log_info("test hook: read own page: 0x%02x", own_page[0]);
	if (guest_read)
		log_info("test hook: read guest address 0x%" PRIx64 ": 0x%02x", guest_read_gpa, guest_read[0]);
}
