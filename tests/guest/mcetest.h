/* mcetest: a tiny freestanding x86-64 guest for checking the machine checks
 * vmras injects. Shared by the C files and head.S. See README.md. */
#ifndef MCETEST_H
#define MCETEST_H

#define KERNEL_GPA      0x100000    /* where vmras loads the payload; entry at +0x200 */
#define SETUP_SIZE      0x400       /* the bzImage's real-mode part: setup_sects = 1 */
/* The AP start-up code is copied here: below 1 MiB (a SIPI vector is a page
 * number) and clear of vmras's boot stack (0x8ff0), page tables (0x9000-0xefff)
 * and command line (0x20000). */
#define TRAMPOLINE_GPA  0x10000

#define CODE32_SEL      0x08        /* only the APs use it, on their way to long mode */
#define DATA_SEL        0x10
#define CODE64_SEL      0x18

#define MAX_CPUS        64
#define STACK_SIZE      8192

#ifndef __ASSEMBLER__
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Registers as head.S saves them on an exception, then what the CPU pushed. */
struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* head.S */
extern const uint64_t isr_table[256];
extern const char ap_tramp[], ap_tramp_end[];
extern uint32_t ap_cr3;
extern uint64_t ap_stack_top;
extern uint8_t cpu_stacks[MAX_CPUS][STACK_SIZE];
extern const char touch_insn[], touch_skip[];
uint64_t touch_load(uint64_t gpa);   /* one 8-byte load from gpa */

/* console.c: COM1, polled; every line "mcetest: ...\r\n", whole lines at once */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int console_getc(void);
unsigned this_cpu(void);
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

/* smp.c: PIT clock, local APIC, AP start-up */
struct pit_clock {
	uint16_t last;
	uint64_t ticks;
};
void pit_start(struct pit_clock *c);
uint64_t pit_ms(struct pit_clock *c);
void pit_delay_ms(unsigned ms);
/* Starts CPUs with APIC ids 1..ncpus-1 one by one; returns how many came online. */
unsigned smp_start(unsigned ncpus, volatile unsigned *online);

/* mcetest.c */
void bsp_main(uint64_t boot_params);
void ap_main(void);
void trap(struct trapframe *f);
void poweroff(void) __attribute__((noreturn));
#endif

#endif
