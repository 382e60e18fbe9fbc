/* head.S: everything mcetest cannot write in C.
 *
 *   .setup   the bzImage setup header vmras parses (it never runs real-mode code)
 *   .head    the 64-bit entry vmras jumps to (payload + 0x200)
 *   .text    exception stubs, the AP start-up path, the touch load
 *
 * The linker script puts .setup (0x400 bytes) right below 0x100000, so
 * "objcopy -O binary" yields setup + payload: exactly a bzImage's layout. */
#include "mcetest.h"

/* ---------------------------------------------------------------- setup header
 * Boot protocol 2.15 field layout (Documentation/arch/x86/boot.rst). The
 * .org lines are checkpoints at known offsets: the assembler refuses to move
 * backwards, so a field too many stops the build. */
	.section .setup, "a"
setup_start:
	.org	0x1f1			/* the boot sector before it: unused */
	.byte	(SETUP_SIZE / 512) - 1	/* setup_sects: sectors after the boot sector */
	.word	0			/* root_flags */
	.long	_syssize		/* payload size in 16-byte units (informational) */
	.word	0			/* ram_size */
	.word	0xffff			/* vid_mode: normal */
	.word	0			/* root_dev */
	.org	0x1fe
	.word	0xaa55			/* boot_flag */
	.org	0x200
	.byte	0xeb, hdr_end - 1f	/* jump over the header: its end tells loaders its size */
1:	.org	0x202
	.ascii	"HdrS"
	.word	0x020f			/* version 2.15 */
	.long	0			/* realmode_swtch */
	.word	0			/* start_sys_seg */
	.word	0			/* kernel_version */
	.byte	0			/* type_of_loader */
	.org	0x211
	.byte	0x01			/* loadflags: LOADED_HIGH (payload at 1 MiB) */
	.word	0			/* setup_move_size */
	.long	KERNEL_GPA		/* code32_start */
	.long	0, 0			/* ramdisk_image, ramdisk_size */
	.long	0			/* bootsect_kludge */
	.word	0			/* heap_end_ptr */
	.byte	0, 0			/* ext_loader_ver, ext_loader_type */
	.org	0x228
	.long	0			/* cmd_line_ptr (the loader fills it in) */
	.long	0x7fffffff		/* initrd_addr_max */
	.long	0x200000		/* kernel_alignment */
	.byte	0			/* relocatable_kernel: no, run at 1 MiB */
	.byte	0			/* min_alignment */
	.org	0x236
	.word	0x0001			/* xloadflags: XLF_KERNEL_64 (entry at +0x200) */
	.long	2047			/* cmdline_size */
	.long	0			/* hardware_subarch */
	.quad	0			/* hardware_subarch_data */
	.long	0, 0			/* payload_offset, payload_length */
	.quad	0			/* setup_data */
	.quad	KERNEL_GPA		/* pref_address */
	.org	0x260
	.long	_init_size		/* payload + .bss: memory needed from 1 MiB */
	.long	0			/* handover_offset */
	.long	0			/* kernel_info_offset */
hdr_end:
	.org	SETUP_SIZE

/* ---------------------------------------------------------------- 64-bit entry
 * vmras enters here in long mode: paging on with its identity map of 4 GiB,
 * CS 0x10 / DS 0x18 in its GDT at 0x500, interrupts off, RSI = boot_params. */
	.section .head, "ax"
	.code64
	/* Payload offset 0: the 32-bit entry of the boot protocol, never used. */
1:	cli
	hlt
	jmp	1b

	.org	0x200
	.globl startup_64
startup_64:
	cli
	cld
	mov	%rsi, %r15
	/* Clear .bss before anything uses it (the stack lives there): vmras
	 * keeps RAM across a guest reset, so it holds the previous run's state. */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb
	/* Our own GDT, shared with the APs (which need its 32-bit code segment). */
	lgdt	gdt_desc(%rip)
	mov	$DATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%ax, %fs
	mov	%ax, %gs
	mov	$(cpu_stacks + STACK_SIZE), %esp	/* stack slot 0 */
	pushq	$CODE64_SEL
	lea	2f(%rip), %rax
	pushq	%rax
	lretq
2:	mov	%r15, %rdi
	call	bsp_main
3:	cli
	hlt
	jmp	3b

/* ---------------------------------------------------------------- GDT */
	.section .rodata
	.balign 16
gdt:
	.quad	0
	.quad	0x00cf9b000000ffff	/* 0x08: 32-bit code, flat (accessed bit preset: no GDT writes) */
	.quad	0x00cf93000000ffff	/* 0x10: data, flat */
	.quad	0x00af9b000000ffff	/* 0x18: 64-bit code */
gdt_end:
	.balign 8
	.word	0, 0, 0
gdt_desc:
	.word	gdt_end - gdt - 1
	.quad	gdt

/* ---------------------------------------------------------------- exceptions
 * One stub per vector: push a zero where the CPU pushes no error code, push
 * the vector, then save the general registers and call trap(frame). trap()
 * may change frame->rip (the #MC handler skips an interrupted touch load). */
	.text
	.code64
isr_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi		/* 176 bytes pushed after an aligned frame: RSP stays 16-aligned */
	cld
	call	trap
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp		/* vector, error code */
	iretq

	.pushsection .rodata.isr, "a"
	.balign 8
	.globl isr_table
isr_table:
	.popsection
	vec = 0
	.rept 256
	.text
1:	/* #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX push an error code */
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$vec
	jmp	isr_common
	.pushsection .rodata.isr, "a"
	.quad	1b
	.popsection
	vec = vec + 1
	.endr

/* ---------------------------------------------------------------- touch
 * The one load mcetest makes from the touch address. A #MC whose RIP is
 * touch_insn resumes at touch_skip, so a poisoned page is not read again. */
	.text
	.globl touch_load, touch_insn, touch_skip
touch_load:
touch_insn:
	movq	(%rdi), %rax
	ret
touch_skip:
	xor	%eax, %eax
	ret

/* ---------------------------------------------------------------- AP start-up
 * ap_tramp..ap_tramp_end is copied to TRAMPOLINE_GPA; a SIPI starts an AP
 * there in real mode with CS = TRAMPOLINE_GPA >> 4, IP = 0. It only needs
 * to reach protected mode: the rest runs from the image, above 1 MiB. */
	.code16
	.globl ap_tramp, ap_tramp_end
ap_tramp:
	cli
	lgdtl	%cs:(ap_tramp_gdtr - ap_tramp)	/* CS-relative: works at any page */
	mov	%cr0, %eax
	or	$1, %eax			/* PE */
	mov	%eax, %cr0
	ljmpl	$CODE32_SEL, $ap_pm32
	.balign 4
ap_tramp_gdtr:
	.word	gdt_end - gdt - 1
	.long	gdt
ap_tramp_end:

	.code32
ap_pm32:
	mov	$DATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$0x20, %eax			/* CR4.PAE; CR4.MCE is set later, per option */
	mov	%eax, %cr4
	mov	ap_cr3, %eax			/* the BSP's page tables (vmras's identity map) */
	mov	%eax, %cr3
	mov	$0xc0000080, %ecx		/* EFER */
	rdmsr
	or	$0x100, %eax			/* LME */
	wrmsr
	mov	$0x80000011, %eax		/* PG | ET | PE; clears the CD and NW that INIT leaves set */
	mov	%eax, %cr0
	ljmp	$CODE64_SEL, $ap_long

	.code64
ap_long:
	mov	$DATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%ax, %fs
	mov	%ax, %gs
	mov	ap_stack_top(%rip), %rsp	/* set by the BSP before each SIPI */
	call	ap_main
1:	cli
	hlt
	jmp	1b

	.data
	.balign 8
	.globl ap_stack_top, ap_cr3
ap_stack_top:
	.quad	0
ap_cr3:
	.long	0

	.bss
	.balign 16
	.globl cpu_stacks
cpu_stacks:
	.skip	MAX_CPUS * STACK_SIZE

	.section .note.GNU-stack, "", @progbits
