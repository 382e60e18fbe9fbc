/* query-cpus-fast's x86 members, as QEMU 7.2 reports an x86 `-machine pc`
 * CPU: target "x86_64", one socket with a core per vCPU (the topology vmras
 * gives the guest, and QEMU's for -smp N). Pure. */
#ifndef VMRAS_X86_QMP_CPU_H
#define VMRAS_X86_QMP_CPU_H

#include "qmp/inject.h"

extern const struct qmp_cpu_model x86_qmp_cpu_model;

#endif
