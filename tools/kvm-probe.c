/* kvm-probe: is /dev/kvm here good enough to run guests?
 *
 * Opening /dev/kvm is not enough: some nested setups expose a KVM that runs
 * guest code a thousand times slower than the CPU (seen: a Linux kernel's
 * decompressor never finishing). This runs a fixed loop of guest
 * instructions and calls KVM usable when it completes in time.
 * Exit status: 0 usable, 1 missing or too slow (reason on stderr). */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define ITERATIONS 65536
#define LIMIT_MS 20.0      /* native: well under 1 ms; nested under TCG: ~2 ms; the broken case: ~160 ms */
#define RUNS 2             /* the best of two, so one-time warm-up costs do not count */
#define CODE_GPA 0x1000
#define PROBE_PORT 0x10

static int fail(const char *what)
{
	fprintf(stderr, "kvm-probe: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	/* 16-bit real mode: ecx = ITERATIONS; loop: inc dword [0x8000]; dec ecx; jnz loop; out PROBE_PORT, al */
	static const unsigned char code[] = {
		0x66, 0xb9, ITERATIONS & 0xff, (ITERATIONS >> 8) & 0xff, (ITERATIONS >> 16) & 0xff, 0x00,
		0x67, 0x66, 0xff, 0x05, 0x00, 0x80, 0x00, 0x00,
		0x66, 0x49,
		0x75, 0xf4,
		0xe6, PROBE_PORT,
		0xf4,
	};
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 2 };
	struct timespec t0, t1;
	struct kvm_run *run;
	int kvm, vm, vcpu, run_size;
	unsigned char *mem;
	double ms = 0;
	int quiet = argc > 1 && !strcmp(argv[1], "-q");

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("cannot open /dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap");
	memcpy(mem + CODE_GPA, code, sizeof(code));
	region.memory_size = 0x10000;
	region.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || run_size <= 0)
		return fail("KVM_CREATE_VCPU");
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return fail("mmap kvm_run");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	for (int i = 0; i < RUNS; i++) {
		double t;

		*(unsigned *)(mem + 0x8000) = 0;
		if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
			return fail("KVM_SET_REGS");
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			return fail("KVM_RUN");
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != PROBE_PORT) {
			fprintf(stderr, "kvm-probe: guest did not finish the loop (exit reason %u)\n", run->exit_reason);
			return 1;
		}
		if (*(unsigned *)(mem + 0x8000) != ITERATIONS) {
			fprintf(stderr, "kvm-probe: guest counted %u, expected %u\n", *(unsigned *)(mem + 0x8000), ITERATIONS);
			return 1;
		}
		t = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (i == 0 || t < ms)
			ms = t;
	}
	if (ms > LIMIT_MS) {
		fprintf(stderr, "kvm-probe: /dev/kvm works but is too slow to boot guests: %.1f ms for %d guest loop iterations (limit %.0f ms)\n",
			ms, ITERATIONS, LIMIT_MS);
		return 1;
	}
	if (!quiet)
		printf("kvm-probe: /dev/kvm usable: %.2f ms for %d guest loop iterations\n", ms, ITERATIONS);
	return 0;
}
