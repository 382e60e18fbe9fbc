/* Time from the PIT, and starting the application processors through the
 * local APIC (INIT, SIPI, SIPI), as firmware or an OS would. */
#include "hw.h"
#include "mcetest.h"

/* ---------------------------------------------------------------- PIT clock
 * Channel 0 in mode 2 counts down from 65536 at 1.193182 MHz, over and over;
 * polling its count gives real time without knowing the TSC's frequency.
 * (It also raises IRQ0, which nobody receives: interrupts stay off.) */
#define PIT_CH0  0x40
#define PIT_CMD  0x43
#define PIT_HZ   1193182ULL

static uint16_t pit_read(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, 0x00);            /* latch channel 0's count */
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (uint16_t)(hi << 8 | lo);
}

void pit_start(struct pit_clock *c)
{
	outb(PIT_CMD, 0x34);            /* channel 0, low then high byte, mode 2, binary */
	outb(PIT_CH0, 0);
	outb(PIT_CH0, 0);               /* reload value 0 = 65536 */
	c->ticks = 0;
	c->last = pit_read();
}

/* Milliseconds since pit_start; call at least every 50 ms (one wrap). */
uint64_t pit_ms(struct pit_clock *c)
{
	uint16_t now = pit_read();

	c->ticks += (uint16_t)(c->last - now);
	c->last = now;
	return c->ticks * 1000 / PIT_HZ;
}

void pit_delay_ms(unsigned ms)
{
	struct pit_clock c;

	pit_start(&c);
	while (pit_ms(&c) < ms)
		cpu_relax();
}

/* ---------------------------------------------------------------- local APIC
 * xAPIC registers, memory-mapped at the reset base; vmras's identity map
 * covers it. */
#define LAPIC_BASE      0xfee00000UL
#define LAPIC_SVR       0x0f0
#define LAPIC_ICR_LO    0x300
#define LAPIC_ICR_HI    0x310
#define SVR_ENABLE      0x100
#define SPURIOUS_VECTOR 0xff
#define ICR_PENDING     (1u << 12)
#define ICR_INIT        0x00004500u      /* delivery mode INIT, level assert */
#define ICR_STARTUP     0x00004600u      /* delivery mode start-up; vector = page */
#define AP_TIMEOUT_MS   10000            /* nested KVM under TCG is slow */

static void lapic_write(unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)(LAPIC_BASE + reg) = v;
}

static uint32_t lapic_read(unsigned reg)
{
	return *(volatile uint32_t *)(LAPIC_BASE + reg);
}

static void send_ipi(unsigned apic_id, uint32_t icr)
{
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr);
	while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
		cpu_relax();
}

/* One AP at a time, so that each takes the stack the BSP set out for it.
 * vmras numbers the local APICs 0..N-1 (MADT and CPUID agree). */
unsigned smp_start(unsigned ncpus, volatile unsigned *online)
{
	unsigned started = 0;

	memcpy((void *)TRAMPOLINE_GPA, ap_tramp, (size_t)(ap_tramp_end - ap_tramp));
	ap_cr3 = (uint32_t)read_cr3();
	lapic_write(LAPIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
	for (unsigned id = 1; id < ncpus; id++) {
		unsigned want = *online + 1;
		struct pit_clock clock;

		ap_stack_top = (uint64_t)(uintptr_t)cpu_stacks[id] + STACK_SIZE;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* The second SIPI is the documented belt and braces; a CPU
		 * already running ignores it. */
		send_ipi(id, ICR_INIT);
		send_ipi(id, ICR_STARTUP | TRAMPOLINE_GPA >> 12);
		send_ipi(id, ICR_STARTUP | TRAMPOLINE_GPA >> 12);
		pit_start(&clock);
		while (*online < want && pit_ms(&clock) < AP_TIMEOUT_MS)
			cpu_relax();
		if (*online < want) {
			say("error cpu=%u did not come online in %u ms", id, AP_TIMEOUT_MS);
			break;
		}
		started++;
	}
	return started;
}
