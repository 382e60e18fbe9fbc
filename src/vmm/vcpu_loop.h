/* One thread per vCPU running KVM_RUN and serving its exits. */
#ifndef VMRAS_VMM_VCPU_LOOP_H
#define VMRAS_VMM_VCPU_LOOP_H

#include <signal.h>
#include <stdbool.h>

struct machine;
struct vcpu;

/* Work another thread needs done on a vCPU's own thread (reading or
 * changing its state while it runs): see vcpu_run_on. */
typedef void (*vcpu_work_fn)(struct vcpu *vcpu, void *arg);

/* Interrupts KVM_RUN so a vCPU thread notices a stop request. */
#define VCPU_KICK_SIGNAL SIGUSR1

/* Starts every vCPU thread, each held for the VCPU_HOLD_* reasons in hold
 * from before its first instruction (a prelaunch VM); returns 0, or -1
 * (logged) with none left running. */
int vcpu_loop_start_all(struct machine *m, unsigned hold);

/* Runs fn on v's thread and returns when it has run: at once when called
 * from that thread, else at the vCPU's next exit (it is kicked out of
 * KVM_RUN). If the vCPU thread has already stopped, fn runs on the caller. */
void vcpu_run_on(struct vcpu *v, vcpu_work_fn fn, void *arg);
/* Makes v's thread notice a stop request, wherever it waits. */
void vcpu_stop(struct vcpu *v);
/* Stops v's next KVM_RUN (or the current one) from running the guest. */
void vcpu_kick(struct vcpu *v);
/* Why a vCPU is kept out of the guest; each reason is set and cleared on its
 * own, so ending one (a broadcast delivered) cannot undo another (a pause). */
#define VCPU_HOLD_BROADCAST 1u   /* a broadcast machine check is being set on every vCPU */
#define VCPU_HOLD_PAUSE     2u   /* the VM is paused (guest panic, later QMP stop) */

/* Keeps v out of the guest for reason from its next exit on (held) or drops
 * that reason: work given with vcpu_run_on is still served meanwhile.
 * Holding every vCPU first lets a broadcast machine check reach them all
 * before any resumes, as one would on hardware. */
void vcpu_hold(struct vcpu *v, unsigned reason, bool held);
/* The RAS thread has finished an action-required error that v took. */
void vcpu_ar_done(struct vcpu *v);
void vcpu_init_sync(struct vcpu *v);

#endif
