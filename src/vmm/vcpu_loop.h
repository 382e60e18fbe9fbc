/* One thread per vCPU running KVM_RUN and serving its exits. */
#ifndef VMRAS_VMM_VCPU_LOOP_H
#define VMRAS_VMM_VCPU_LOOP_H

#include <signal.h>

struct machine;

/* Interrupts KVM_RUN so a vCPU thread notices a stop request. */
#define VCPU_KICK_SIGNAL SIGUSR1

/* Starts every vCPU thread; returns 0, or -1 (logged) with none left running. */
int vcpu_loop_start_all(struct machine *m);

#endif
