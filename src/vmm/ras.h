/* The memory-failure thread: it drains the SIGBUS intake, translates each
 * report through the guest RAM table, reads the vCPUs' machine-check state,
 * decides with the pure core (src/ras), records the poison, emits the
 * MEMORY_FAILURE event and only then acts (inject, reset or exit). It is also
 * the thread the kernel sends action-optional reports to (early kill). */
#ifndef VMRAS_VMM_RAS_H
#define VMRAS_VMM_RAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct ras;

/* Returns 0, or -1 with a reason in why. */
int ras_start(struct machine *m, bool early_kill, char *why, size_t whylen);

/* Guest reset: finds every poisoned guest page, those no report named
 * included (each gets an event, action reset), and gives them fresh memory
 * (one hole punch per contiguous run), so the reload and the next boot can
 * use all its RAM. Called by the main thread while no VM exists. */
void ras_replace_poisoned(struct machine *m);

/* The reload of the guest's images (sigbus_guarded) touched poisoned memory
 * at host address hva: a guest page is recorded, announced and replaced, and
 * 0 returned so the reload can be done again; anything else (the image
 * files themselves) is -1 with a reason. Main thread, no VM. */
int ras_reload_fault(struct machine *m, uintptr_t hva, char *why, size_t whylen);

/* A synthetic memory error at guest address gpa (its 4 KiB page): a SIGBUS
 * with BUS_MCEERR_AO queued to the RAS thread, or BUS_MCEERR_AR to vCPU 0's
 * thread, so it takes the path a real one takes. See VMRAS_SIG_SYNTHETIC_AO.
 * Returns 0, or (logged) EFAULT when gpa is not guest RAM, ESRCH when vCPU 0
 * is not running for an AR, or sigqueue's error. */
int ras_synthetic(struct machine *m, uint64_t gpa, bool ar);

/* A device model's guarded access to guest memory met a poisoned page at
 * host address hva (any thread): queued as an action-optional report naming
 * device, so the RAS thread records the page, tells the guest (which has not
 * consumed it: the device's request failed instead) and sends the event
 * with "device". */
void ras_device_poison(struct machine *m, uintptr_t hva, int lsb, const char *device);

/* At start, before the first boot (main thread): finds the poisoned pages
 * of the guest RAM backing (a file's poison outlives vmras), records each
 * (query-memory-failures), replaces what a hole punch can, announces each
 * (MEMORY_FAILURE, action ignore, the reason says found at start and
 * whether replaced) and keeps the list for the first boot's BERT and for
 * the arch to keep the guest off the others. */
void ras_scan_backing(struct machine *m);

/* The first boot's Boot Error Region (ras/bert.h) for the pages found at
 * start, written into buf[0..max): its length, 0 when there is none. What
 * does not fit is logged. */
size_t ras_boot_error_region(struct machine *m, void *buf, size_t max);

/* The guest pages found poisoned at start that are still not replaced (a
 * reset tries again): their count, *ranges where they are (each one page
 * of the backing). Main thread, between VMs. */
struct gpa_range;
size_t ras_avoided(struct machine *m, const struct gpa_range **ranges);
struct ghes_pages_result;
/* Tells the guest through GHES of n lost 4 KiB pages of guest RAM from one
 * report (gpas: any address in each page; a lost hugepage is its 512 pages):
 * ar picks the source (action required: ACPI_GHES_SOURCE_AR, for the vCPU
 * vcpu, or -1; else ACPI_GHES_SOURCE_AO). The pages join the source's
 * backlog and reach the guest GHES_PAGES_PER_BLOCK at a time, one
 * memory-error section each (devices/ghes.h); pages that cannot be told
 * are logged and counted (dropped, invalid). Needs --ras with ghes on and
 * the VM alive; call with m->vm_lock held, as the report handler does. It
 * neither records the pages nor emits events: the caller does. */
struct ghes_pages_result ras_ghes_tell_pages(struct machine *m, const uint64_t *gpas, size_t n, bool ar,
					     int vcpu);

struct ras_stats;
/* query-ras-stats: the counters (qmp/ras_stats.h). Returns 0, or -1 when
 * RAS is not running. */
int ras_stats_read(struct machine *m, struct ras_stats *out);

struct json_object;
/* query-memory-failures: the poison registry, read under m->vm_lock (see
 * src/qmp/memory_failures.h). NULL when out of memory or RAS is not running. */
struct json_object *ras_memory_failures(struct machine *m);

#endif
