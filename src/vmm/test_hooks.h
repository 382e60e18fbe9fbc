/* Hooks for the lab's memory-failure tests, off unless their environment
 * variable is set. VMRAS_TEST_OWN_PAGE=1: one page of vmras's own memory, not
 * guest RAM, in a memfd named "vmras:own-test-page" so tools can poison it.
 * VMRAS_TEST_READ_GPA=ADDR: a guest address to read from a thread that is
 * not a vCPU, as a device model would. */
#ifndef VMRAS_VMM_TEST_HOOKS_H
#define VMRAS_VMM_TEST_HOOKS_H

#include "vmm/guest_ram.h"

/* Reads the environment and sets up what it asks for (logged). */
void test_hooks_setup(const struct guest_ram *ram);
/* Reads the own page and the guest address, whichever is set up (SIGUSR2). */
void test_hooks_touch(void);

#endif
