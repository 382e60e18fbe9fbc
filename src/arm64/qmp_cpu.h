/* query-cpus-fast's arm64 members, as QEMU 7.2 reports a `-machine virt`
 * CPU: target "aarch64", one socket and cluster with a core per vCPU. Pure. */
#ifndef VMRAS_ARM64_QMP_CPU_H
#define VMRAS_ARM64_QMP_CPU_H

#include "qmp/inject.h"

extern const struct qmp_cpu_model arm64_qmp_cpu_model;

#endif
