/* A hardware memory failure as vmras sees it after translation, and what was
 * done about it. The recipient and action enums mirror QEMU's QAPI
 * MemoryFailureRecipient and MemoryFailureAction (same names, same order), so
 * MEMORY_FAILURE events read the same to any QMP client. Pure. */
#ifndef VMRAS_RAS_MEMORY_FAILURE_H
#define VMRAS_RAS_MEMORY_FAILURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mf_recipient {
	MF_RECIPIENT_HYPERVISOR,   /* vmras's own memory, not guest RAM */
	MF_RECIPIENT_GUEST,
};

enum mf_action {
	MF_ACTION_IGNORE,
	MF_ACTION_INJECT,
	MF_ACTION_FATAL,
	MF_ACTION_RESET,
};

#define MF_PAGE_SHIFT 12
/* Linux reports poisoned extents as powers of two; beyond 2^63 a size no
 * longer fits in the uint64_t every address here is. */
#define MF_LSB_MAX 63

struct memory_failure {
	enum mf_recipient recipient;
	bool action_required;      /* BUS_MCEERR_AR (touched) rather than BUS_MCEERR_AO */
	uint64_t gpa;              /* guest physical address; meaningful for the guest only */
	uint64_t hva;              /* si_addr */
	unsigned lsb;              /* si_addr_lsb: the poisoned extent is 2^lsb bytes */
	/* The kernel's si_addr_lsb when it named less than the backing page
	 * that holds it (lsb then is the backing's: see mf_widen); else 0. */
	unsigned report_lsb;
	int vcpu;                  /* vCPU thread that took the signal, or -1 */
	const char *region;        /* guest RAM region name, or NULL */
	bool found;                /* no report: a scan of guest RAM found it poisoned */
	/* The device model whose access to guest memory met the page (its
	 * request failed; the guest's data there is lost), or NULL. */
	const char *device;
};

/* QAPI spellings. NULL for a value outside the enum. */
const char *mf_recipient_name(enum mf_recipient r);
const char *mf_action_name(enum mf_action a);
/* Inverse lookups, for clients and tests; false for an unknown name. */
bool mf_recipient_parse(const char *name, enum mf_recipient *r);
bool mf_action_parse(const char *name, enum mf_action *a);

/* si_addr_lsb as the registry and encoders use it: never below a 4 KiB page
 * (the kernel poisons whole pages, and 0 means the sender did not say), and
 * -1 when it cannot describe a size. */
int mf_lsb_normalize(unsigned lsb);

/* A report on memory whose backing page is larger than what the report
 * names is widened to that page: the kernel loses a hugepage whole (KVM on
 * x86 still names the 4 KiB page a vCPU touched, lsb 12, for each touch),
 * so the whole page is the one poisoned extent. Sets report_lsb and lsb;
 * false (f unchanged) when the report already covers the page. */
bool mf_widen(struct memory_failure *f, unsigned page_shift);

/* Whether f is a report on an extent larger than a 4 KiB page that vmras
 * widened from a smaller one (a vCPU's touch inside a lost hugepage). */
static inline bool mf_widened(const struct memory_failure *f)
{
	return f->report_lsb && f->report_lsb < f->lsb;
}

/* The extent's size in bytes, from a normalized lsb. */
static inline uint64_t mf_lsb_size(unsigned lsb)
{
	return (uint64_t)1 << lsb;
}

#endif
