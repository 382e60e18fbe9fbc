#include "x86/longmode.h"

#include <errno.h>
#include <string.h>

#include "x86/layout.h"

#define PTE_PRESENT  0x1ULL
#define PTE_WRITE    0x2ULL
#define PTE_PS       0x80ULL   /* a 2 MiB page at the page-directory level */

#define CR0_PE (1ULL << 0)
#define CR0_ET (1ULL << 4)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

/* Descriptors as the CPU stores them: null, null, code64, data, TSS. */
static const uint64_t boot_gdt[] = {
	0,
	0,
	0x00af9b000000ffffULL,  /* 0x10: 64-bit code, present, DPL0, execute/read, accessed */
	0x00cf93000000ffffULL,  /* 0x18: 4 GiB flat data, read/write, accessed */
	0x00008b0000000067ULL,  /* 0x20: 32-bit busy TSS (VMX entry insists on a usable TR) */
};

int x86_write_boot_tables(const struct guest_ram *ram)
{
	uint64_t pml4[512] = { 0 }, pdpt[512] = { 0 }, pd[512];

	if (!guest_ram_write(ram, X86_GDT_GPA, boot_gdt, sizeof(boot_gdt)))
		goto fault;
	pml4[0] = X86_PDPT_GPA | PTE_PRESENT | PTE_WRITE;
	for (unsigned g = 0; g < X86_IDENTITY_MAP_SIZE >> 30; g++) {
		pdpt[g] = (X86_PD_GPA + g * 4096ULL) | PTE_PRESENT | PTE_WRITE;
		for (unsigned i = 0; i < 512; i++)
			pd[i] = ((uint64_t)g << 30 | (uint64_t)i << 21) | PTE_PRESENT | PTE_WRITE | PTE_PS;
		if (!guest_ram_write(ram, X86_PD_GPA + g * 4096ULL, pd, sizeof(pd)))
			goto fault;
	}
	if (!guest_ram_write(ram, X86_PML4_GPA, pml4, sizeof(pml4)) ||
	    !guest_ram_write(ram, X86_PDPT_GPA, pdpt, sizeof(pdpt)))
		goto fault;
	return 0;
fault:
	errno = EFAULT;
	return -1;
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = selector, .type = type,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
}

void x86_long_mode_sregs(struct kvm_sregs *s)
{
	struct kvm_segment code = flat_segment(X86_BOOT_CS, 0xb);
	struct kvm_segment data = flat_segment(X86_BOOT_DS, 0x3);

	code.db = 0;  /* a 64-bit code segment must have D clear */
	code.l = 1;
	s->cs = code;
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->tr = (struct kvm_segment){ .base = 0, .limit = 0x67, .selector = X86_BOOT_TSS,
				      .type = 0xb, .present = 1, .s = 0 };
	s->ldt = (struct kvm_segment){ .selector = 0, .type = 0x2, .present = 1, .unusable = 1 };
	s->gdt.base = X86_GDT_GPA;
	s->gdt.limit = sizeof(boot_gdt) - 1;
	s->idt.base = 0;
	s->idt.limit = 0;
	s->cr0 = CR0_PE | CR0_ET | CR0_PG;
	s->cr3 = X86_PML4_GPA;
	s->cr4 = CR4_PAE;
	s->efer = EFER_LME | EFER_LMA;
}

void x86_boot_regs(struct kvm_regs *r, uint64_t entry, uint64_t boot_params)
{
	memset(r, 0, sizeof(*r));
	r->rflags = 0x2;           /* bit 1 is reserved-one; interrupts stay off */
	r->rip = entry;
	r->rsi = boot_params;
	r->rsp = r->rbp = X86_BOOT_STACK;
}
