/* mcetest: options, per-CPU machine-check set-up, the #MC handler and the
 * ready / go / touch / done flow. The protocol is in README.md. */
#include "hw.h"
#include "mcetest.h"

#include <stdbool.h>

#define BP_CMD_LINE_PTR 0x228   /* u32 in boot_params */

static struct {
	bool cr4mce;            /* set CR4.MCE (else clear it) */
	uint64_t touch;         /* guest-physical address read after "go" */
	uint64_t touches;
	bool mcip_leave;        /* #MC handler leaves MCG_STATUS (MCIP) as it found it */
	bool bank_leave;        /* #MC handler leaves MCi_STATUS valid */
	bool lmce;              /* MCG_EXT_CTL.LMCE_EN */
	bool mcgctl_set, mc9ctl_set;
	uint64_t mcgctl;        /* MCG_CTL value to write, if mcgctl_set */
	uint64_t mc9ctl;        /* MC9_CTL value to write, if mc9ctl_set */
	uint64_t cpus;
	uint64_t linger_ms;     /* wait before "done", for late #MCs on other CPUs */
	const char *selftest;
} opt = {
	.cr4mce = true, .touch = 0x800000, .touches = 1, .cpus = 1, .selftest = "none",
};

static uint64_t mcg_cap;
static volatile unsigned cpus_online;

/* What each CPU is doing, for the #MC report; indexed by APIC id. */
static struct percpu {
	const char *volatile state;
	volatile unsigned depth;        /* #MC handlers running on this CPU */
	volatile bool touch_aborted;
} percpu[MAX_CPUS];

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
};
static struct idt_gate idt[256] __attribute__((aligned(16)));

void poweroff(void)
{
	outb(ACPI_SLEEP_CTL_PORT, ACPI_SLEEP_S5);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static struct percpu *me(void)
{
	unsigned cpu = this_cpu();

	if (cpu >= MAX_CPUS) {
		say("error cpu=%u: APIC id above %u", cpu, MAX_CPUS - 1);
		poweroff();
	}
	return &percpu[cpu];
}

/* ---------------------------------------------------------------- options */

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (*v = 0; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (d >= base)
			return false;
		*v = *v * base + d;
	}
	return true;
}

static bool parse_bool(const char *s, bool *v)
{
	if (str_eq(s, "0") || str_eq(s, "1")) {
		*v = s[0] == '1';
		return true;
	}
	return false;
}

static bool parse_word(const char *s, const char *no, const char *yes, bool *v)
{
	if (str_eq(s, no) || str_eq(s, yes)) {
		*v = str_eq(s, yes);
		return true;
	}
	return false;
}

static const char *const selftests[] = { "none", "ud2", "gp", "int18", "bank9" };

static bool set_option(const char *key, const char *val)
{
	if (str_eq(key, "cr4mce"))
		return parse_bool(val, &opt.cr4mce);
	if (str_eq(key, "touch"))
		return parse_u64(val, &opt.touch) && opt.touch < (4ULL << 30) - 8;
	if (str_eq(key, "touches"))
		return parse_u64(val, &opt.touches);
	if (str_eq(key, "mcip"))
		return parse_word(val, "clear", "leave", &opt.mcip_leave);
	if (str_eq(key, "bank"))
		return parse_word(val, "clear", "leave", &opt.bank_leave);
	if (str_eq(key, "lmce"))
		return parse_bool(val, &opt.lmce);
	if (str_eq(key, "mcgctl"))
		return (opt.mcgctl_set = parse_u64(val, &opt.mcgctl));
	if (str_eq(key, "mc9ctl"))
		return (opt.mc9ctl_set = parse_u64(val, &opt.mc9ctl));
	if (str_eq(key, "cpus"))
		return parse_u64(val, &opt.cpus) && opt.cpus >= 1 && opt.cpus <= MAX_CPUS;
	if (str_eq(key, "linger"))
		return parse_u64(val, &opt.linger_ms) && opt.linger_ms <= 3600000;
	if (str_eq(key, "selftest")) {
		for (unsigned i = 0; i < sizeof(selftests) / sizeof(selftests[0]); i++)
			if (str_eq(val, selftests[i])) {
				opt.selftest = selftests[i];
				return true;
			}
		return false;
	}
	return false;
}

/* "mcetest.KEY=VALUE" words; any other word is someone else's. A bad
 * mcetest option stops the guest: a test must not run with a typo. */
static void parse_cmdline(char *p)
{
	static const char prefix[] = "mcetest.";

	while (*p) {
		char *word, *eq = NULL;
		bool ours = true;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		word = p;
		for (; *p && *p != ' '; p++)
			if (*p == '=' && !eq)
				eq = p;
		if (*p)
			*p++ = '\0';
		for (unsigned i = 0; i < sizeof(prefix) - 1; i++)
			if (word[i] != prefix[i])
				ours = false;
		if (!ours)
			continue;
		if (eq)
			*eq = '\0';
		if (!eq || !set_option(word + sizeof(prefix) - 1, eq + 1)) {
			say("error bad option '%s%s%s'", word, eq ? "=" : "", eq ? eq + 1 : "");
			poweroff();
		}
	}
}

/* "0x..." into buf, or "-" when there is no value. */
static const char *hex_or_dash(char *buf, bool valid, uint64_t v)
{
	char *p = buf;
	int shift = 60;

	if (!valid)
		return "-";
	*p++ = '0';
	*p++ = 'x';
	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*p++ = "0123456789abcdef"[(v >> shift) & 0xf];
	*p = '\0';
	return buf;
}

/* ---------------------------------------------------------------- traps */

static void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = isr_table[v];
		idt[v] = (struct idt_gate){
			.off_lo = (uint16_t)a, .sel = CODE64_SEL, .ist = 0,
			.type = 0x8e,   /* present, DPL 0, 64-bit interrupt gate */
			.off_mid = (uint16_t)(a >> 16), .off_hi = (uint32_t)(a >> 32),
		};
	}
}

static void idt_load(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} d = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(d));
}

/* Reports every bank with VAL set, then clears it (unless bank=leave) and
 * MCG_STATUS (unless mcip=leave), as an OS handler would. */
static void machine_check(struct trapframe *f)
{
	unsigned cpu = this_cpu();
	struct percpu *pc = me();
	unsigned banks = (unsigned)(mcg_cap & MCG_CAP_COUNT), reported = 0;
	uint64_t mcg_status = rdmsr(MSR_IA32_MCG_STATUS);

	pc->depth++;
	say("mc-begin cpu=%u state=%s depth=%u mcg_status=0x%lx rip=0x%lx",
	    cpu, pc->state, pc->depth, mcg_status, f->rip);
	for (unsigned b = 0; b < banks; b++) {
		uint64_t status = rdmsr(MSR_MC_STATUS(b));

		if (!(status & MCI_STATUS_VAL))
			continue;
		say("mc cpu=%u mcg_status=0x%lx bank=%u status=0x%lx addr=0x%lx misc=0x%lx",
		    cpu, mcg_status, b, status, rdmsr(MSR_MC_ADDR(b)), rdmsr(MSR_MC_MISC(b)));
		if (!opt.bank_leave)
			wrmsr(MSR_MC_STATUS(b), 0);
		reported++;
	}
	if (f->rip == (uint64_t)(uintptr_t)touch_insn) {
		f->rip = (uint64_t)(uintptr_t)touch_skip;
		pc->touch_aborted = true;
	}
	if (!opt.mcip_leave)
		wrmsr(MSR_IA32_MCG_STATUS, 0);
	say("mc-end cpu=%u banks=%u mcg_status=0x%lx", cpu, reported, rdmsr(MSR_IA32_MCG_STATUS));
	pc->depth--;
}

void trap(struct trapframe *f)
{
	switch (f->vector) {
	case 18:
		machine_check(f);
		return;
	case 2:
		say("nmi cpu=%u rip=0x%lx", this_cpu(), f->rip);
		return;
	case 0xff:      /* the local APIC's spurious vector: nothing to do */
		return;
	}
	if (f->vector >= 32) {
		say("interrupt cpu=%u vector=%lu rip=0x%lx", this_cpu(), f->vector, f->rip);
		return;
	}
	say("exception cpu=%u vector=%lu error=0x%lx rip=0x%lx cr2=0x%lx",
	    this_cpu(), f->vector, f->error, f->rip, read_cr2());
	poweroff();
}

/* ---------------------------------------------------------------- CPUs */

/* The same on every CPU: these MSRs and CR4 are per CPU. */
static void cpu_setup(unsigned cpu)
{
	unsigned banks = (unsigned)(mcg_cap & MCG_CAP_COUNT);
	uint64_t cr4 = read_cr4();
	char b1[20], b2[20], b3[20];

	idt_load();
	write_cr4(opt.cr4mce ? cr4 | CR4_MCE : cr4 & ~CR4_MCE);
	if (mcg_cap & MCG_LMCE_P)
		wrmsr(MSR_IA32_MCG_EXT_CTL, opt.lmce ? MCG_EXT_CTL_LMCE_EN : 0);
	if (opt.mcgctl_set && (mcg_cap & MCG_CTL_P))
		wrmsr(MSR_IA32_MCG_CTL, opt.mcgctl);
	if (opt.mc9ctl_set && banks > 9)
		wrmsr(MSR_MC_CTL(9), opt.mc9ctl);
	say("cpu=%u online cr4=0x%lx mcg_cap=0x%lx mcg_status=0x%lx mcg_ctl=%s mc9_ctl=%s mcg_ext_ctl=%s",
	    cpu, read_cr4(), rdmsr(MSR_IA32_MCG_CAP), rdmsr(MSR_IA32_MCG_STATUS),
	    hex_or_dash(b1, mcg_cap & MCG_CTL_P, mcg_cap & MCG_CTL_P ? rdmsr(MSR_IA32_MCG_CTL) : 0),
	    hex_or_dash(b2, banks > 9, banks > 9 ? rdmsr(MSR_MC_CTL(9)) : 0),
	    hex_or_dash(b3, mcg_cap & MCG_LMCE_P, mcg_cap & MCG_LMCE_P ? rdmsr(MSR_IA32_MCG_EXT_CTL) : 0));
}

void ap_main(void)
{
	unsigned cpu = this_cpu();
	struct percpu *pc = me();

	pc->state = "setup";
	cpu_setup(cpu);
	pc->state = "idle";
	__atomic_add_fetch(&cpus_online, 1, __ATOMIC_SEQ_CST);
	/* Interrupts stay off; a #MC is delivered anyway. */
	for (;;)
		cpu_relax();
}

static void selftest(void)
{
	if (str_eq(opt.selftest, "ud2"))
		__asm__ volatile("ud2");
	else if (str_eq(opt.selftest, "gp"))
		wrmsr(MSR_MC_CTL(0), 0x1234);   /* KVM takes only 0 or all ones */
	else if (str_eq(opt.selftest, "int18"))
		__asm__ volatile("int $18");    /* runs the #MC handler with nothing to report */
	else if (str_eq(opt.selftest, "bank9")) {
		/* AMD lets software write MCi_STATUS while HWCR.McStatusWrEn is
		 * set: a made-up error in bank 9 for the handler to report. */
		wrmsr(MSR_AMD64_HWCR, HWCR_MCSTATUSWREN);
		wrmsr(MSR_MC_ADDR(9), opt.touch);
		wrmsr(MSR_MC_MISC(9), 0x8c);
		wrmsr(MSR_MC_STATUS(9), 0xbc000800000000c0ULL);
		wrmsr(MSR_AMD64_HWCR, 0);
		__asm__ volatile("int $18");
	}
}

void bsp_main(uint64_t boot_params)
{
	char *cmdline = (char *)(uintptr_t)*(volatile uint32_t *)(uintptr_t)(boot_params + BP_CMD_LINE_PTR);
	unsigned cpu = this_cpu();
	struct percpu *pc = me();
	uint32_t a, vendor[3];
	char b1[20], b2[20];

	pc->state = "setup";
	idt_init();
	idt_load();
	mcg_cap = rdmsr(MSR_IA32_MCG_CAP);
	cpuid(0, &a, &vendor[0], &vendor[2], &vendor[1]);
	say("start cpu=%u mcg_cap=0x%lx cr4=0x%lx vendor=%c%c%c%c%c%c%c%c%c%c%c%c", cpu, mcg_cap, read_cr4(),
	    (char)vendor[0], (char)(vendor[0] >> 8), (char)(vendor[0] >> 16), (char)(vendor[0] >> 24),
	    (char)vendor[1], (char)(vendor[1] >> 8), (char)(vendor[1] >> 16), (char)(vendor[1] >> 24),
	    (char)vendor[2], (char)(vendor[2] >> 8), (char)(vendor[2] >> 16), (char)(vendor[2] >> 24));
	say("cmdline %s", cmdline ? cmdline : "");
	if (cmdline)
		parse_cmdline(cmdline);
	say("options cr4mce=%u touch=0x%lx touches=%lu mcip=%s bank=%s lmce=%u mcgctl=%s mc9ctl=%s cpus=%lu linger=%lu selftest=%s",
	    opt.cr4mce, opt.touch, opt.touches, opt.mcip_leave ? "leave" : "clear",
	    opt.bank_leave ? "leave" : "clear", opt.lmce, hex_or_dash(b1, opt.mcgctl_set, opt.mcgctl),
	    hex_or_dash(b2, opt.mc9ctl_set, opt.mc9ctl), opt.cpus, opt.linger_ms, opt.selftest);
	if (opt.lmce && !(mcg_cap & MCG_LMCE_P))
		say("warning lmce=1 but MCG_CAP has no LMCE_P: not enabled");
	if (opt.mcgctl_set && !(mcg_cap & MCG_CTL_P))
		say("warning mcgctl given but MCG_CAP has no MCG_CTL_P: not written");
	if (opt.mc9ctl_set && (mcg_cap & MCG_CAP_COUNT) <= 9)
		say("warning mc9ctl given but there is no bank 9: not written");

	cpu_setup(cpu);
	cpus_online = 1;
	if (opt.cpus > 1)
		smp_start((unsigned)opt.cpus, &cpus_online);
	say("ready touch=0x%lx cpus=%u", opt.touch, cpus_online);

	pc->state = "wait-go";
	console_getc();
	say("go");
	pc->state = "selftest";
	selftest();
	for (uint64_t i = 0; i < opt.touches; i++) {
		uint64_t v;

		pc->touch_aborted = false;
		pc->state = "touch";
		v = touch_load(opt.touch);
		pc->state = "touched";
		if (pc->touch_aborted)
			say("touched 0x%lx aborted-by-mc", opt.touch);
		else
			say("touched 0x%lx value=0x%lx", opt.touch, v);
	}
	pc->state = "linger";
	if (opt.linger_ms)
		pit_delay_ms((unsigned)opt.linger_ms);
	say("done");
	poweroff();
}
