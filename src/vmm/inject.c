#include "vmm/inject.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "acpi/hest.h"
#include "qmp/error.h"
#include "qmp/inject.h"
#include "ras/memory_failure.h"
#include "vmm/log.h"
#include "vmm/machine.h"
#include "vmm/ras.h"

#ifndef MADV_HWPOISON
#define MADV_HWPOISON 100
#endif

#define PAGE_SIZE_4K (UINT64_C(1) << MF_PAGE_SHIFT)

static void *guest_page(struct machine *m, uint64_t gpa, struct qmp_error *err)
{
	void *hva = guest_ram_gpa_to_hva(&m->ram, gpa & ~(PAGE_SIZE_4K - 1), PAGE_SIZE_4K);

	if (!hva)
		qmp_error_set(err, QMP_ERR_GENERIC, "0x%" PRIx64 " is not guest RAM", gpa);
	return hva;
}

/* The kernel poisons the page behind vmras's own mapping of it. madvise
 * reaches the page through the page tables, not by reading it, so this
 * thread never touches it; touching it afterwards would be a SIGBUS that
 * vmras cannot survive (guest memory read by a thread that is not a vCPU).
 * The kernel then reports it as it would a real one: to the RAS thread as
 * action optional (early kill), or to the vCPU that touches it. */
static int poison(struct machine *m, uint64_t gpa, struct qmp_error *err)
{
	void *hva = guest_page(m, gpa, err);
	int e;

	if (!hva)
		return -1;
	if (!madvise(hva, PAGE_SIZE_4K, MADV_HWPOISON)) {
		log_info("guest page 0x%" PRIx64 " poisoned over QMP (MADV_HWPOISON)", gpa & ~(PAGE_SIZE_4K - 1));
		return 0;
	}
	e = errno;
	switch (e) {
	case EPERM:
		qmp_error_set(err, QMP_ERR_GENERIC, "poisoning a page needs CAP_SYS_ADMIN, which vmras lacks "
			      "(mode 'signal' needs no privilege)");
		break;
	case EINVAL:
	case ENOSYS:
		qmp_error_set(err, QMP_ERR_GENERIC, "this kernel has no CONFIG_MEMORY_FAILURE: it cannot poison "
			      "pages (madvise MADV_HWPOISON: %s; mode 'signal' works without it)", strerror(e));
		break;
	default:
		qmp_error_set(err, QMP_ERR_GENERIC, "the kernel did not poison 0x%" PRIx64 ": madvise "
			      "MADV_HWPOISON: %s", gpa, strerror(e));
		break;
	}
	return -1;
}

int machine_inject_memory_failure(void *opaque, uint64_t gpa, bool poison_it, bool action_required,
				  struct qmp_error *err)
{
	struct machine *m = opaque;
	int e;

	if (m->opts->machine_none) {
		qmp_error_set(err, QMP_ERR_GENERIC, "no guest (--machine none): there is no guest memory to fail");
		return -1;
	}
	if (poison_it)
		return poison(m, gpa, err);
	if (!guest_page(m, gpa, err))
		return -1;
	e = ras_synthetic(m, gpa, action_required);
	if (e == ESRCH) {
		qmp_error_set(err, QMP_ERR_GENERIC, "an action-required report goes to vCPU 0's thread, and "
			      "vCPU 0 is not running (the VM is being reset or shut down)");
		return -1;
	}
	if (e) {
		qmp_error_set(err, QMP_ERR_GENERIC, "the synthetic memory error was not queued: %s", strerror(e));
		return -1;
	}
	return 0;
}

int machine_inject_mce(void *opaque, const struct qmp_mce *mce, struct qmp_error *err)
{
	struct machine *m = opaque;

	if (m->opts->machine_none) {
		qmp_error_set(err, QMP_ERR_GENERIC, "no guest (--machine none): there is no vCPU to inject into");
		return -1;
	}
	return arch_qmp_inject_mce(m, mce, err);
}

int machine_inject_ghes(void *opaque, const void *rec, size_t len, struct qmp_error *err)
{
	struct machine *m = opaque;
	struct ghes_dev_result r;
	int rc = -1;

	if (m->opts->machine_none) {
		qmp_error_set(err, QMP_ERR_GENERIC, "no guest (--machine none): there is no GHES error source "
			      "to deliver to");
		return -1;
	}
	if (!(m->channels & RAS_MODE_GHES)) {
		/* --ras asked for it and the machine has none (an arm64 guest
		 * booted with a device tree has no ACPI). */
		if (m->opts->ras & RAS_MODE_GHES)
			qmp_error_set(err, QMP_ERR_GENERIC, "this guest has no GHES error sources (no ACPI: "
				      "an arm64 guest has them when it boots through firmware)");
		else
			qmp_error_set(err, QMP_ERR_GENERIC, "GHES is not enabled: vmras runs with --ras mce");
		return -1;
	}
	pthread_mutex_lock(&m->vm_lock);
	/* Across a reset, the record is for the new guest: its blocks are
	 * laid out again before it runs. */
	while (!m->vm_alive && !machine_stopping(m))
		pthread_cond_wait(&m->vm_cond, &m->vm_lock);
	if (!m->vm_alive) {
		pthread_mutex_unlock(&m->vm_lock);
		qmp_error_set(err, QMP_ERR_GENERIC, "vmras is shutting down: no guest to deliver to");
		return -1;
	}
	/* Firmware-placed blocks (arm64) exist once the firmware has run its
	 * ACPI table loader, and again after each reset. */
	if (!ghes_dev_placed(&m->ghes)) {
		pthread_mutex_unlock(&m->vm_lock);
		qmp_error_set(err, QMP_ERR_GENERIC, "the guest's firmware has not placed the GHES error status "
			      "blocks yet (it does so as it loads the ACPI tables): try again once it has booted");
		return -1;
	}
	/* No vCPU is concerned (-1) and no address names it (tag 0): it is
	 * the client's record, not one of vmras's memory failures. */
	r = ghes_dev_submit(&m->ghes, ACPI_GHES_SOURCE_AO, rec, len, 0, -1);
	pthread_mutex_unlock(&m->vm_lock);
	switch (r.what) {
	case GHES_WRITE_NOW:
		log_info("CPER record injected over QMP: GHES source %u (action optional), %zu bytes, written",
			 ACPI_GHES_SOURCE_AO, len);
		rc = 0;
		break;
	case GHES_QUEUED:
		log_info("CPER record injected over QMP: GHES source %u (action optional), %zu bytes, queued "
			 "(%u waiting for the guest's acknowledge)", ACPI_GHES_SOURCE_AO, len, r.waiting);
		rc = 0;
		break;
	case GHES_DROPPED:
		qmp_error_set(err, QMP_ERR_GENERIC, "GHES source %u's queue is full: %u records wait for the guest "
			      "to acknowledge the one before them", ACPI_GHES_SOURCE_AO, GHES_QUEUE_DEPTH);
		break;
	case GHES_INVALID:
		/* The handler checked the length; reaching this is a bug, said plainly. */
		qmp_error_set(err, QMP_ERR_GENERIC, "the GHES device refused a %zu-byte record", len);
		break;
	}
	return rc;
}

/* A vCPU thread stores its id first thing; one created a moment ago may not
 * have yet. Waiting for it keeps the answer exact, and the wait is short. */
static int vcpu_tid(struct vcpu *v)
{
	const struct timespec pause = { .tv_nsec = 100000 };
	int tid;

	for (int tries = 0; !(tid = __atomic_load_n(&v->tid, __ATOMIC_ACQUIRE)) && tries < 10000; tries++)
		nanosleep(&pause, NULL);
	return tid;
}

struct json_object *machine_cpus(void *opaque, struct qmp_error *err)
{
	struct machine *m = opaque;
	struct qmp_cpu *cpus;
	struct json_object *list;

	if (m->opts->machine_none)
		return json_object_new_array();
	cpus = calloc(m->ncpus, sizeof(*cpus));
	if (!cpus) {
		qmp_error_set(err, QMP_ERR_GENERIC, "out of memory");
		return NULL;
	}
	pthread_mutex_lock(&m->vm_lock);
	/* Across a reset the old threads are gone; answer with the new ones. */
	while (!m->vm_alive && !machine_stopping(m))
		pthread_cond_wait(&m->vm_cond, &m->vm_lock);
	for (unsigned i = 0; i < m->ncpus; i++)
		cpus[i] = (struct qmp_cpu){ .index = i, .thread_id = m->vm_alive ? vcpu_tid(&m->vcpus[i]) : 0 };
	pthread_mutex_unlock(&m->vm_lock);
	list = qmp_cpus_fast(cpus, m->ncpus, arch_qmp_cpu_model());
	free(cpus);
	if (!list)
		qmp_error_set(err, QMP_ERR_GENERIC, "out of memory");
	return list;
}
