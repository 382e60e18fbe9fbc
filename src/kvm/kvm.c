#include "kvm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int kvm_fail(char *why, size_t whylen, const char *what)
{
	int e = errno;
	snprintf(why, whylen, "%s: %s", what, strerror(e));
	errno = e;
	return -1;
}

int kvm_system_open(struct kvm_system *sys, char *why, size_t whylen)
{
	static const struct kvm_cap_name required[] = {
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	};
	int api;

	memset(sys, 0, sizeof(*sys));
	sys->fd = open(KVM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (sys->fd < 0)
		return kvm_fail(why, whylen, "cannot open " KVM_DEVICE_PATH);
	api = ioctl(sys->fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		snprintf(why, whylen, "KVM API version %d, expected %d", api, KVM_API_VERSION);
		goto err;
	}
	if (kvm_require_caps(sys, required, sizeof(required) / sizeof(required[0]), why, whylen))
		goto err;
	sys->run_size = ioctl(sys->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sys->run_size <= 0) {
		kvm_fail(why, whylen, "KVM_GET_VCPU_MMAP_SIZE");
		goto err;
	}
	return 0;
err:
	kvm_system_close(sys);
	errno = errno ? errno : ENODEV;
	return -1;
}

int kvm_require_caps(const struct kvm_system *sys, const struct kvm_cap_name *caps, size_t n, char *why,
		     size_t whylen)
{
	for (size_t i = 0; i < n; i++) {
		if (ioctl(sys->fd, KVM_CHECK_EXTENSION, caps[i].cap) <= 0) {
			snprintf(why, whylen, "this KVM lacks %s", caps[i].name);
			errno = ENODEV;
			return -1;
		}
	}
	return 0;
}

void kvm_system_close(struct kvm_system *sys)
{
	if (sys->fd >= 0)
		close(sys->fd);
	sys->fd = -1;
}

int kvm_vm_create(const struct kvm_system *sys, char *why, size_t whylen)
{
	int vm = ioctl(sys->fd, KVM_CREATE_VM, 0);

	if (vm < 0)
		return kvm_fail(why, whylen, "KVM_CREATE_VM");
	return vm;
}

int kvm_vm_set_memory(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size, void *hva)
{
	return kvm_vm_set_memory_flags(vm_fd, slot, gpa, size, hva, 0);
}

int kvm_vm_set_memory_flags(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size, void *hva, uint32_t flags)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};
	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
}

int kvm_vm_irq_line(int vm_fd, uint32_t irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = (uint32_t)level };
	return ioctl(vm_fd, KVM_IRQ_LINE, &l);
}

int kvm_vcpu_create(const struct kvm_system *sys, int vm_fd, unsigned index, struct kvm_vcpu_fd *v)
{
	v->fd = ioctl(vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (v->fd < 0)
		return -1;
	v->run_size = sys->run_size;
	v->run = mmap(NULL, (size_t)sys->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		int e = errno;
		close(v->fd);
		v->fd = -1;
		v->run = NULL;
		errno = e;
		return -1;
	}
	return 0;
}

void kvm_vcpu_close(struct kvm_vcpu_fd *v)
{
	if (v->run)
		munmap(v->run, (size_t)v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

