/* x86 instructions and register numbers mcetest needs (facts from the Intel
 * SDM and AMD APM). */
#ifndef MCETEST_HW_H
#define MCETEST_HW_H

#include <stdint.h>

#define MSR_IA32_MCG_CAP     0x179
#define MSR_IA32_MCG_STATUS  0x17a
#define MSR_IA32_MCG_CTL     0x17b
#define MSR_IA32_MCG_EXT_CTL 0x4d0
#define MSR_MC_CTL(i)        (0x400 + 4 * (i))
#define MSR_MC_STATUS(i)     (0x401 + 4 * (i))
#define MSR_MC_ADDR(i)       (0x402 + 4 * (i))
#define MSR_MC_MISC(i)       (0x403 + 4 * (i))

#define MSR_AMD64_HWCR       0xc0010015
#define HWCR_MCSTATUSWREN    (1ULL << 18)   /* MCi_STATUS writable (AMD) */

#define MCG_CAP_COUNT        0xffULL
#define MCG_CTL_P            (1ULL << 8)
#define MCG_SER_P            (1ULL << 24)
#define MCG_LMCE_P           (1ULL << 27)
#define MCG_EXT_CTL_LMCE_EN  (1ULL << 0)
#define MCI_STATUS_VAL       (1ULL << 63)

#define CR4_MCE              (1ULL << 6)

#define COM1                 0x3f8
#define UART_LSR             5
#define UART_LSR_DR          0x01
#define UART_LSR_THRE        0x20

/* ACPI hardware-reduced sleep control register (vmras's FADT): SLP_TYP 5 (S5) | SLP_EN. */
#define ACPI_SLEEP_CTL_PORT  0x600
#define ACPI_SLEEP_S5        (5 << 2 | 0x20)

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

#endif
