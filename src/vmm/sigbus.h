/* Intake of hardware memory-error signals.
 *
 * The kernel reports poisoned memory with SIGBUS: BUS_MCEERR_AR on the thread
 * that touched it (for a vCPU, after KVM_RUN), BUS_MCEERR_AO to the thread
 * that asked for early kills. The handler only records the signal in a
 * preallocated ring and writes an eventfd; every decision is made later on a
 * normal thread. A SIGBUS that is not a memory error keeps its default
 * meaning (the process dies with a core dump). */
#ifndef VMRAS_VMM_SIGBUS_H
#define VMRAS_VMM_SIGBUS_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/sigbus_ring.h"

/* Synthetic memory errors, for machines without CONFIG_MEMORY_FAILURE and for
 * tests: another process sends one of these with sigqueue(), the guest
 * physical address as its value (vmras-poison --method signal|signal-ar).
 * vmras then queues a SIGBUS for that page's host address to itself, on the
 * thread the kernel would have chosen, so it takes the same intake as a real
 * one. (A process may not send another a SIGBUS with a BUS_MCEERR_* code.)
 * Fixed numbers from the top of the real-time range, the same in every
 * binary whatever its C library reserves at the bottom. */
#define VMRAS_SIG_SYNTHETIC_AO (SIGRTMAX - 1)
#define VMRAS_SIG_SYNTHETIC_AR (SIGRTMAX - 2)

/* Queues a synthetic memory-error SIGBUS for the 4 KiB page at page (aligned)
 * to thread, as BUS_MCEERR_AR (ar) or BUS_MCEERR_AO: the handler takes it as
 * a real one. Returns 0 or an errno value. */
int sigbus_queue_synthetic(pthread_t thread, const void *page, bool ar);

/* Installs the handler (creating the ring and eventfd the first time). Returns 0 or -1 with errno. */
int sigbus_intake_install(void);
/* Readable when the ring has something; a reader drains it with sigbus_intake_take. */
int sigbus_intake_eventfd(void);
/* Consumer side (one thread at a time): next recorded signal, if any. */
bool sigbus_intake_take(struct sigbus_event *ev);
/* A report with no signal behind it (a device model's guarded access met
 * a poisoned page): queued as the handler queues a signal. False when the
 * ring was full (the loss is counted). */
bool sigbus_intake_push(const struct sigbus_event *ev);
/* Signals lost to a full ring since the last call. */
unsigned long sigbus_intake_dropped(void);

/* vCPU threads say who they are, so a signal records which vCPU took it. */
void sigbus_set_thread_vcpu(int index);
/* Which VM runs from now on: reports are stamped with it, so that one taken
 * for a guest that a reset has since replaced is told apart. */
void sigbus_set_vm_generation(unsigned vm);
/* A vCPU thread says when it is inside KVM_RUN: only an action-required
 * error taken there is the guest's (KVM delivers it as the ioctl returns);
 * one taken outside is vmras's own load, which parks the thread like any
 * other thread's until the verdict, and is reported without a vCPU. */
void sigbus_set_thread_in_guest(bool in_guest);
/* The thread that handles the reports says so: an action-required error on
 * any other thread that is not a vCPU parks that thread until the handler has
 * decided (fatal), but the handler itself cannot wait for itself. */
void sigbus_set_thread_handler(void);
/* How many action-required SIGBUS this thread took since the last call: a
 * vCPU must have them handled before it enters the guest again, or it only
 * faults again. */
unsigned sigbus_thread_take_ar(void);

/* Where a guarded call touched poisoned memory. */
struct sigbus_fault {
	bool hit;
	uintptr_t addr;
	int lsb;
};

/* Runs fn(arg) so that an action-required memory error on this thread inside
 * it cuts fn short instead of parking the thread: returns fn's result with
 * fault->hit false, or -1 with fault->hit true and the poisoned address. The
 * report is not recorded in the intake; the caller handles the page. For
 * copies into guest RAM that the caller can redo (a reset's reload). fn must
 * hold no lock where it can fault; what it allocated and had not yet freed is
 * lost when it is cut short (the x86 loader's ACPI buffer: a few KiB per
 * poisoned page met). Not nested. */
int sigbus_guarded(int (*fn)(void *arg), void *arg, struct sigbus_fault *fault);

/* memcpy under the same guard, for a device model's accesses to guest
 * memory (vmm/guest_access.c): 0, or -1 with fault->hit and the poisoned
 * address, some bytes perhaps copied. Nothing is recorded. An aligned 2-,
 * 4- or 8-byte copy is one access, never torn. */
int sigbus_guarded_copy(void *dst, const void *src, size_t len, struct sigbus_fault *fault);

#endif
