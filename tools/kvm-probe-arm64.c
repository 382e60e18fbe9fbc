/* kvm-probe-arm64: what does /dev/kvm offer here, on arm64? For the arm64 lab
 * (lab/run --arch arm64), where the lab build compiles it with
 * aarch64-linux-gnu-gcc -static; tools/kvm-probe.c is the x86 counterpart.
 *
 * Prints one "name: value" line each, in this order:
 *   api-version, cap-arm-inject-ext-dabt, cap-arm-psci-0-2, cap-mp-state,
 *   max-vcpus (KVM_CAP_MAX_VCPUS), create-vm, create-vcpu, preferred-target
 *   (ok and the target number), vcpu-init (ok with PSCI 0.2), run (ok when a
 *   4-instruction guest ends in the MMIO write it was meant to make).
 * A step that fails prints "failed (strerror)" and the steps after it are not
 * tried. Exit status: 0 when every step worked, 1 otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define RAM_GPA 0x80000000ULL
#define RAM_SIZE 0x10000ULL
#define MMIO_GPA 0x10000000ULL /* outside RAM: a store there exits to us */
#define MMIO_VALUE 0x42

static int failed(const char *step)
{
	printf("%s: failed (%s)\n", step, strerror(errno));
	return 1;
}

static int cap(int kvm, const char *name, long id)
{
	int v = ioctl(kvm, KVM_CHECK_EXTENSION, id);

	printf("%s: %d\n", name, v);
	return v;
}

int main(void)
{
	/* mov x1, #MMIO_GPA; mov w2, #MMIO_VALUE; str w2, [x1]; b . */
	static const uint32_t code[] = { 0xd2a20001, 0x52800842, 0xb9000022, 0x14000000 };
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_vcpu_init init = { 0 };
	uint64_t pc = RAM_GPA;
	struct kvm_one_reg reg = {
		.id = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
		      (offsetof(struct kvm_regs, regs.pc) / sizeof(uint32_t)),
		.addr = (uintptr_t)&pc,
	};
	struct kvm_run *run;
	int kvm, vm, vcpu, run_size, api, ok = 1;
	void *mem;

	setvbuf(stdout, NULL, _IOLBF, 0);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return failed("open /dev/kvm");
	api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	printf("api-version: %d\n", api);
	ok &= api == KVM_API_VERSION;
	ok &= cap(kvm, "cap-arm-inject-ext-dabt", KVM_CAP_ARM_INJECT_EXT_DABT) > 0;
	ok &= cap(kvm, "cap-arm-psci-0-2", KVM_CAP_ARM_PSCI_0_2) > 0;
	ok &= cap(kvm, "cap-mp-state", KVM_CAP_MP_STATE) > 0;
	ok &= cap(kvm, "max-vcpus", KVM_CAP_MAX_VCPUS) > 0;

	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return failed("create-vm");
	puts("create-vm: ok");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return failed("create-vcpu");
	puts("create-vcpu: ok");
	if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		return failed("preferred-target");
	printf("preferred-target: ok (%u)\n", init.target);
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) < 0)
		return failed("vcpu-init");
	puts("vcpu-init: ok");

	mem = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mem == MAP_FAILED || run_size <= 0)
		return failed("run");
	memcpy(mem, code, sizeof(code));
	region.guest_phys_addr = RAM_GPA;
	region.memory_size = RAM_SIZE;
	region.userspace_addr = (uintptr_t)mem;
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0 ||
	    ioctl(vcpu, KVM_SET_ONE_REG, &reg) < 0 || ioctl(vcpu, KVM_RUN, 0) < 0)
		return failed("run");
	if (run->exit_reason != KVM_EXIT_MMIO || run->mmio.phys_addr != MMIO_GPA || !run->mmio.is_write ||
	    run->mmio.data[0] != MMIO_VALUE) {
		printf("run: failed (exit reason %u, not the expected MMIO write)\n", run->exit_reason);
		return 1;
	}
	puts("run: ok (MMIO exit)");
	return ok ? 0 : 1;
}
