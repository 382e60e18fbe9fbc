/* The GHES device against real guest memory and the real device bus (I/O space).
 *
 * What a guest's GHES driver sees is all in guest memory and one port per
 * source, so the checks read those, as the guest would, rather than the
 * device's structure: the pointers lead to the blocks, a record is in the
 * block when notified, and Linux's acknowledge sequence (read, AND the
 * preserve mask, OR the write value, write) hands over the next record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "devices/ghes.h"
#include "devices/bus.h"
#include "ras/cper.h"
#include "vmm/guest_ram.h"
#include "arm64/acpi.h"
#include "arm64/ghes_layout.h"
#include "arm64/layout.h"
#include "x86/layout.h"
#include "x86/ram_layout.h"

#define RAM_SIZE (16u << 20)
#define BLOCK_AR X86_GHES_BLOCKS_GPA
#define BLOCK_AO (X86_GHES_BLOCKS_GPA + GHES_RECORD_MAX)

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

struct fixture {
	struct guest_ram ram;
	uint8_t *mem;
	struct bus bus;
	struct ghes_dev dev;
	unsigned notified;
	unsigned last_source;
	int last_cpu;
	/* Taken when notify ran: the device must not hold its lock then, as
	 * a real callback may wait for a vCPU that is itself in the device. */
	bool lock_free;
	unsigned kicked;
};

static void kick(void *opaque)
{
	struct fixture *f = opaque;
	f->kicked++;
}

static void notify(void *opaque, unsigned source, int cpu)
{
	struct fixture *f = opaque;
	f->notified++;
	f->last_source = source;
	f->last_cpu = cpu;
	f->lock_free = pthread_mutex_trylock(&f->dev.lock) == 0;
	if (f->lock_free)
		pthread_mutex_unlock(&f->dev.lock);
}

static const struct ghes_dev_layout layout = {
	.pointers_gpa = X86_GHES_POINTERS_GPA,
	.blocks_gpa = X86_GHES_BLOCKS_GPA,
	.ack_space = BUS_IO, .ack_addr = { X86_GHES_ACK_AR_PORT, X86_GHES_ACK_AO_PORT },
};

static uint8_t *gpa(struct fixture *f, uint64_t addr)
{
	return guest_ram_gpa_to_hva(&f->ram, addr, 1);
}

static void make_ram(struct fixture *f)
{
	assert_int_equal(x86_ram_layout(&f->ram, RAM_SIZE), 0);
	f->mem = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(f->mem != MAP_FAILED);
	f->ram.region[0].hva = f->mem;
}

static int setup(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof(f));
	make_ram(&f);
	/* Leftovers of an earlier guest: init must not trust the RAM. */
	memset(gpa(&f, X86_GHES_POINTERS_GPA), 0xa5, 16);
	memset(gpa(&f, X86_GHES_BLOCKS_GPA), 0xa5, 2 * GHES_RECORD_MAX);
	if (ghes_dev_init(&f.dev, &f.ram, &f.bus, &layout))
		return -1;
	f.dev.notify = notify;
	f.dev.opaque = &f;
	f.dev.kick = kick;
	f.dev.kick_opaque = &f;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	ghes_dev_free(&f->dev);
	munmap(f->mem, RAM_SIZE);
	return 0;
}

static uint32_t ack_read(struct fixture *f, unsigned source)
{
	uint8_t d[4];
	assert_true(bus_dispatch(&f->bus, BUS_IO, layout.ack_addr[source], false, d, 4));
	return le32(d);
}

static void ack_write(struct fixture *f, unsigned source, uint32_t v)
{
	uint8_t d[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	assert_true(bus_dispatch(&f->bus, BUS_IO, layout.ack_addr[source], true, d, 4));
}

/* What Linux's ghes_ack_error does with the HEST's preserve and write
 * values, on a 32-bit register. */
static void linux_ack(struct fixture *f, unsigned source)
{
	uint32_t v = ack_read(f, source);
	v &= (uint32_t)0xfffffffffffffffeull;
	v |= 1;
	ack_write(f, source, v);
}

/* A real record: one memory error at phys, so records differ by address. */
static size_t record(uint8_t *buf, uint64_t phys)
{
	struct cper_mem_error e = { .phys_addr = phys, .size = 4096,
				    .severity = CPER_SEV_RECOVERABLE,
				    .error_type = CPER_MEM_ERR_MULTI_BIT_ECC };
	ssize_t n = cper_encode_mem_error(buf, GHES_RECORD_MAX, &e);
	assert_int_equal(n, CPER_MEM_RECORD_LEN);
	assert_int_not_equal(le32(buf), 0);          /* block status */
	return (size_t)n;
}

static int all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static void expect_block(struct fixture *f, uint64_t block, uint64_t phys)
{
	uint8_t want[GHES_RECORD_MAX];
	size_t n = record(want, phys);
	assert_memory_equal(gpa(f, block), want, n);
}

static void expect_untouched_ao(struct fixture *f)
{
	struct ghes_queue_stats st;
	assert_true(all_zero(gpa(f, BLOCK_AO), GHES_RECORD_MAX));
	assert_int_equal(ack_read(f, 1), 1);
	ghes_dev_stats(&f->dev, 1, &st);
	assert_false(st.busy);
	assert_int_equal(st.written, 0);
	assert_int_equal(st.acked, 0);
}

static void test_init(void **state)
{
	struct fixture *f = *state;
	/* GHES's double indirection: the HEST names the pointer, the guest
	 * follows it to the block. */
	assert_int_equal(le64(gpa(f, X86_GHES_POINTERS_GPA)), BLOCK_AR);
	assert_int_equal(le64(gpa(f, X86_GHES_POINTERS_GPA + 8)), BLOCK_AO);
	assert_true(all_zero(gpa(f, BLOCK_AR), GHES_RECORD_MAX));
	assert_true(all_zero(gpa(f, BLOCK_AO), GHES_RECORD_MAX));
	/* Nothing outstanding reads as acknowledged, so a guest probing the
	 * register at boot does not think a record is pending. */
	assert_int_equal(ack_read(f, 0), 1);
	assert_int_equal(ack_read(f, 1), 1);
	assert_int_equal(f->notified, 0);
	for (unsigned s = 0; s < GHES_SOURCES; s++) {
		struct ghes_queue_stats st;
		ghes_dev_stats(&f->dev, s, &st);
		assert_false(st.busy);
		assert_int_equal(st.waiting + st.written + st.acked + st.dropped, 0);
	}
}

static void test_init_refuses(void **state)
{
	struct fixture *f = *state;
	struct ghes_dev other;
	struct bus bus;
	struct ghes_dev_layout l;

	/* The ports are already the first device's. */
	assert_int_equal(ghes_dev_init(&other, &f->ram, &f->bus, &layout), -1);

	memset(&bus, 0, sizeof(bus));
	l = layout;
	l.ack_addr[1] = l.ack_addr[0] + 8;           /* one handler needs them adjacent */
	assert_int_equal(ghes_dev_init(&other, &f->ram, &bus, &l), -1);
	l = layout;
	l.blocks_gpa = RAM_SIZE - GHES_RECORD_MAX;   /* AO's block past the end of RAM */
	assert_int_equal(ghes_dev_init(&other, &f->ram, &bus, &l), -1);
	l = layout;
	l.pointers_gpa = RAM_SIZE - 8;
	assert_int_equal(ghes_dev_init(&other, &f->ram, &bus, &l), -1);
	/* Refusing must not have claimed the ports. */
	assert_int_equal(bus.space[BUS_IO].count, 0);
}

static void test_submit_and_ack(void **state)
{
	struct fixture *f = *state;
	uint8_t rec[GHES_RECORD_MAX];
	struct ghes_dev_result r;
	struct ghes_queue_stats st;

	size_t n = record(rec, 0x1000);
	r = ghes_dev_submit(&f->dev, 0, rec, n, 0x1000, 3);
	assert_int_equal(r.what, GHES_WRITE_NOW);
	assert_int_equal(r.waiting, 0);
	expect_block(f, BLOCK_AR, 0x1000);
	assert_true(all_zero(gpa(f, BLOCK_AR) + n, GHES_RECORD_MAX - n));
	assert_int_equal(f->notified, 1);
	assert_int_equal(f->last_source, 0);
	assert_int_equal(f->last_cpu, 3);
	assert_true(f->lock_free);
	/* Outstanding: the guest's acknowledge is what turns it back to 1. */
	assert_int_equal(ack_read(f, 0), 0);

	/* The block is the guest's until it acknowledges. */
	n = record(rec, 0x2000);
	r = ghes_dev_submit(&f->dev, 0, rec, n, 0x2000, 5);
	assert_int_equal(r.what, GHES_QUEUED);
	assert_int_equal(r.waiting, 1);
	assert_int_equal(f->notified, 1);
	expect_block(f, BLOCK_AR, 0x1000);

	linux_ack(f, 0);
	expect_block(f, BLOCK_AR, 0x2000);
	assert_int_equal(f->notified, 2);
	assert_int_equal(f->last_source, 0);
	/* The record is handed over from the acknowledging vCPU's exit, not
	 * on behalf of the vCPU it was first submitted for. */
	assert_int_equal(f->last_cpu, -1);
	assert_true(f->lock_free);
	assert_int_equal(ack_read(f, 0), 0);
	ghes_dev_stats(&f->dev, 0, &st);
	assert_true(st.busy);
	assert_int_equal(st.waiting, 0);
	assert_int_equal(st.written, 2);
	assert_int_equal(st.acked, 1);

	/* Nothing more: the block is free, the register reads acknowledged
	 * and the guest is not notified again. */
	linux_ack(f, 0);
	assert_int_equal(f->notified, 2);
	assert_int_equal(ack_read(f, 0), 1);
	ghes_dev_stats(&f->dev, 0, &st);
	assert_false(st.busy);
	assert_int_equal(st.acked, 2);

	expect_untouched_ao(f);
}

static void test_ao_source(void **state)
{
	struct fixture *f = *state;
	uint8_t rec[GHES_RECORD_MAX];
	size_t n = record(rec, 0x5000);

	assert_int_equal(ghes_dev_submit(&f->dev, 1, rec, n, 0x5000, -1).what, GHES_WRITE_NOW);
	assert_int_equal(ghes_dev_submit(&f->dev, 1, rec, n, 0x5000, -1).what, GHES_QUEUED);
	expect_block(f, BLOCK_AO, 0x5000);
	assert_int_equal(f->notified, 1);
	assert_int_equal(f->last_source, 1);
	assert_int_equal(ack_read(f, 1), 0);
	/* The AR source's register and block are not AO's. */
	linux_ack(f, 0);
	assert_int_equal(f->notified, 1);
	assert_true(all_zero(gpa(f, BLOCK_AR), GHES_RECORD_MAX));
	assert_int_equal(ack_read(f, 0), 1);
	struct ghes_queue_stats st;
	ghes_dev_stats(&f->dev, 1, &st);
	assert_int_equal(st.waiting, 1);
	linux_ack(f, 1);
	assert_int_equal(f->notified, 2);
	assert_int_equal(f->last_source, 1);
}

static void test_ack_register_forms(void **state)
{
	struct fixture *f = *state;
	uint8_t rec[GHES_RECORD_MAX];
	size_t n = record(rec, 0x1000);

	ghes_dev_submit(&f->dev, 0, rec, n, 0, 0);
	ghes_dev_submit(&f->dev, 0, rec, n, 0, 0);
	/* Only bit 0 is the acknowledge; a write without it changes nothing. */
	ack_write(f, 0, 0xfffffffe);
	assert_int_equal(ack_read(f, 0), 0);
	struct ghes_queue_stats st;
	ghes_dev_stats(&f->dev, 0, &st);
	assert_int_equal(st.waiting, 1);
	assert_int_equal(st.acked, 0);
	/* A byte write of 1 at the register's first byte is an acknowledge
	 * too: the GAS says dword, but nothing forbids narrower I/O. */
	uint8_t one = 1;
	assert_true(bus_dispatch(&f->bus, BUS_IO, X86_GHES_ACK_AR_PORT, true, &one, 1));
	ghes_dev_stats(&f->dev, 0, &st);
	assert_int_equal(st.acked, 1);
	assert_int_equal(f->notified, 2);
	/* Bytes past the 32-bit register read as zero. */
	uint8_t b = 0xff;
	assert_true(bus_dispatch(&f->bus, BUS_IO, X86_GHES_ACK_AR_PORT + 3, false, &b, 1));
	assert_int_equal(b, 0);
}

static void test_invalid_submit(void **state)
{
	struct fixture *f = *state;
	uint8_t rec[GHES_RECORD_MAX + 1];
	size_t n = record(rec, 0x1000);

	/* Shorter than a block header, the guest could not even read the
	 * status; longer than the block, it would overrun it. */
	assert_int_equal(ghes_dev_submit(&f->dev, 0, rec, CPER_ESTATUS_LEN - 1, 0, 0).what, GHES_INVALID);
	assert_int_equal(ghes_dev_submit(&f->dev, 0, rec, GHES_RECORD_MAX + 1, 0, 0).what, GHES_INVALID);
	assert_int_equal(ghes_dev_submit(&f->dev, GHES_SOURCES, rec, n, 0, 0).what, GHES_INVALID);
	assert_int_equal(f->notified, 0);
	assert_true(all_zero(gpa(f, BLOCK_AR), GHES_RECORD_MAX));
	assert_int_equal(ack_read(f, 0), 1);

	struct ghes_queue_stats st;
	memset(&st, 0xa5, sizeof(st));
	ghes_dev_stats(&f->dev, GHES_SOURCES, &st);
	assert_false(st.busy);
	assert_int_equal(st.waiting + st.written + st.acked + st.dropped, 0);
}

static void test_stats_and_drops(void **state)
{
	struct fixture *f = *state;
	uint8_t rec[GHES_RECORD_MAX];
	size_t n = record(rec, 0x1000);
	struct ghes_dev_result r;

	for (unsigned i = 0; i < 1 + GHES_QUEUE_DEPTH + 2; i++)
		r = ghes_dev_submit(&f->dev, 0, rec, n, i, 0);
	assert_int_equal(r.what, GHES_DROPPED);
	assert_int_equal(r.waiting, GHES_QUEUE_DEPTH);
	struct ghes_queue_stats st;
	ghes_dev_stats(&f->dev, 0, &st);
	assert_true(st.busy);
	assert_int_equal(st.waiting, GHES_QUEUE_DEPTH);
	assert_int_equal(st.written, 1);
	assert_int_equal(st.acked, 0);
	assert_int_equal(st.dropped, 2);
	for (unsigned i = 0; i < 3; i++)
		linux_ack(f, 0);
	ghes_dev_stats(&f->dev, 0, &st);
	assert_int_equal(st.waiting, GHES_QUEUE_DEPTH - 3);
	assert_int_equal(st.written, 4);
	assert_int_equal(st.acked, 3);
	assert_int_equal(f->notified, 4);
}

static void test_reset(void **state)
{
	struct fixture *f = *state;
	uint8_t rec[GHES_RECORD_MAX];
	size_t n = record(rec, 0x1000);

	for (unsigned i = 0; i < 4; i++)
		ghes_dev_submit(&f->dev, 0, rec, n, i, 0);
	ghes_dev_submit(&f->dev, 1, rec, n, 9, -1);
	/* The guest that is gone may have scribbled on its pointers. */
	memset(gpa(f, X86_GHES_POINTERS_GPA), 0x5a, 16);

	/* 4 on AR (one in the block, three waiting) and 1 in AO's block. */
	assert_int_equal(ghes_dev_reset(&f->dev), 5);
	assert_int_equal(le64(gpa(f, X86_GHES_POINTERS_GPA)), BLOCK_AR);
	assert_int_equal(le64(gpa(f, X86_GHES_POINTERS_GPA + 8)), BLOCK_AO);
	assert_true(all_zero(gpa(f, BLOCK_AR), GHES_RECORD_MAX));
	assert_true(all_zero(gpa(f, BLOCK_AO), GHES_RECORD_MAX));
	for (unsigned s = 0; s < GHES_SOURCES; s++) {
		struct ghes_queue_stats st;
		assert_int_equal(ack_read(f, s), 1);
		ghes_dev_stats(&f->dev, s, &st);
		assert_false(st.busy);
		assert_int_equal(st.waiting, 0);
	}
	/* The new guest's acknowledges find nothing, and its first error
	 * goes straight to the block. */
	unsigned notified = f->notified;
	linux_ack(f, 0);
	assert_int_equal(f->notified, notified);
	assert_int_equal(ghes_dev_submit(&f->dev, 0, rec, n, 0, 1).what, GHES_WRITE_NOW);
	assert_int_equal(f->notified, notified + 1);
	assert_int_equal(ghes_dev_reset(&f->dev), 1);
	assert_int_equal(ghes_dev_reset(&f->dev), 0);
}

/* arm64's layout: the firmware allocates pointers and blocks (here, as
 * etc/hardware_errors would be, at some RAM address vmras learns late),
 * read-ack registers are 64-bit MMIO, and the AR source is notified once
 * per record (an SEA each). */
#define FW_BASE 0x300000ULL
#define FW_POINTERS arm64_ghes_pointers_gpa(FW_BASE)
#define FW_BLOCK_AR arm64_ghes_blocks_gpa(FW_BASE)
#define FW_BLOCK_AO (FW_BASE + ARM64_GHES_BLOCK_OFF(1))

/* The machine's own (arm64/ghes_layout.h). */
static struct ghes_dev_layout fw_layout;

static int setup_fw(void **state)
{
	static struct fixture f;
	fw_layout = arm64_ghes_layout();
	assert_int_equal(fw_layout.ack_addr[0], ARM64_GHES_ACK_GPA);
	assert_int_equal(fw_layout.ack_addr[1], ARM64_GHES_ACK_GPA + 8);
	assert_int_equal(FW_POINTERS, FW_BASE);
	assert_int_equal(FW_BLOCK_AR, FW_BASE + 0x1000);
	memset(&f, 0, sizeof(f));
	make_ram(&f);
	/* What the guest (its firmware) has there: not vmras's to touch
	 * until placed. */
	memset(gpa(&f, FW_BASE), 0xa5, ARM64_GHES_MEM_SIZE);
	if (ghes_dev_init(&f.dev, &f.ram, &f.bus, &fw_layout))
		return -1;
	f.dev.notify = notify;
	f.dev.opaque = &f;
	*state = &f;
	return 0;
}

static uint64_t ack_read64(struct fixture *f, unsigned source)
{
	uint8_t d[8];
	assert_true(bus_dispatch(&f->bus, BUS_MMIO, fw_layout.ack_addr[source], false, d, 8));
	return le64(d);
}

/* Linux's ghes_ack_error on a 64-bit register (preserve ~1, write 1). */
static void linux_ack64(struct fixture *f, unsigned source)
{
	uint64_t v = ack_read64(f, source);
	uint8_t d[8];
	v &= ~1ull;
	v |= 1;
	for (unsigned i = 0; i < 8; i++)
		d[i] = (uint8_t)(v >> (8 * i));
	assert_true(bus_dispatch(&f->bus, BUS_MMIO, fw_layout.ack_addr[source], true, d, 8));
}

static bool all_a5(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++ != 0xa5)
			return false;
	return true;
}

static void test_fw_unplaced(void **state)
{
	struct fixture *f = *state;
	uint8_t rec[GHES_RECORD_MAX];
	size_t n = record(rec, 0x1000);
	struct ghes_queue_stats st;

	assert_false(ghes_dev_placed(&f->dev));
	/* Nothing written: the firmware has not said where. */
	assert_true(all_a5(gpa(f, FW_BASE), ARM64_GHES_MEM_SIZE));
	assert_int_equal(ack_read64(f, 0), 1);
	assert_int_equal(ack_read64(f, 1), 1);
	/* A record has nowhere to go and is not kept for later. */
	assert_int_equal(ghes_dev_submit(&f->dev, 0, rec, n, 0x1000, 1).what, GHES_INVALID);
	assert_int_equal(ghes_dev_submit(&f->dev, 1, rec, n, 0x1000, -1).what, GHES_INVALID);
	assert_int_equal(f->notified, 0);
	assert_true(all_a5(gpa(f, FW_BASE), ARM64_GHES_MEM_SIZE));
	ghes_dev_stats(&f->dev, 0, &st);
	assert_false(st.busy);
	assert_int_equal(st.waiting + st.written + st.dropped, 0);
	/* A stray acknowledge changes nothing either. */
	linux_ack64(f, 0);
	assert_int_equal(f->notified, 0);
	assert_true(all_a5(gpa(f, FW_BASE), ARM64_GHES_MEM_SIZE));
}

static void test_fw_place(void **state)
{
	struct fixture *f = *state;
	uint8_t rec[GHES_RECORD_MAX];
	size_t n;

	/* Not guest RAM, or running past its end: refused, still unplaced,
	 * nothing written. */
	assert_int_equal(ghes_dev_place(&f->dev, RAM_SIZE, RAM_SIZE + 0x1000), -1);
	assert_int_equal(ghes_dev_place(&f->dev, FW_POINTERS, RAM_SIZE - GHES_RECORD_MAX), -1);
	assert_int_equal(ghes_dev_place(&f->dev, RAM_SIZE - 8, FW_BLOCK_AR), -1);
	assert_false(ghes_dev_placed(&f->dev));
	assert_true(all_a5(gpa(f, FW_BASE), ARM64_GHES_MEM_SIZE));

	assert_int_equal(ghes_dev_place(&f->dev, FW_POINTERS, FW_BLOCK_AR), 0);
	assert_true(ghes_dev_placed(&f->dev));
	assert_int_equal(le64(gpa(f, FW_BASE + ARM64_GHES_POINTER_OFF(0))), FW_BLOCK_AR);
	assert_int_equal(le64(gpa(f, FW_BASE + ARM64_GHES_POINTER_OFF(1))), FW_BLOCK_AO);
	assert_true(all_zero(gpa(f, FW_BLOCK_AR), GHES_RECORD_MAX));
	assert_true(all_zero(gpa(f, FW_BLOCK_AO), GHES_RECORD_MAX));
	/* Only what is vmras's: the rest of the pointer page is the firmware's. */
	assert_true(all_a5(gpa(f, FW_BASE + 16), 0x1000 - 16));
	assert_int_equal(f->notified, 0);

	n = record(rec, 0x1000);
	assert_int_equal(ghes_dev_submit(&f->dev, 0, rec, n, 0x1000, 1).what, GHES_WRITE_NOW);
	expect_block(f, FW_BLOCK_AR, 0x1000);
	assert_int_equal(f->notified, 1);
	assert_int_equal(f->last_cpu, 1);
	/* The whole 64-bit register, as the GAS says. */
	assert_int_equal(ack_read64(f, 0), 0);
	assert_int_equal(ack_read64(f, 1), 1);
	linux_ack64(f, 0);
	assert_int_equal(ack_read64(f, 0), 1);
	struct ghes_queue_stats st;
	ghes_dev_stats(&f->dev, 0, &st);
	assert_false(st.busy);
	assert_int_equal(st.acked, 1);

	/* The AO source: notified when its block is written, at submit and
	 * at the acknowledge that hands over the next one. */
	n = record(rec, 0x5000);
	assert_int_equal(ghes_dev_submit(&f->dev, 1, rec, n, 0x5000, -1).what, GHES_WRITE_NOW);
	n = record(rec, 0x6000);
	assert_int_equal(ghes_dev_submit(&f->dev, 1, rec, n, 0x6000, -1).what, GHES_QUEUED);
	assert_int_equal(f->notified, 2);
	assert_int_equal(f->last_source, 1);
	linux_ack64(f, 1);
	expect_block(f, FW_BLOCK_AO, 0x6000);
	assert_int_equal(f->notified, 3);
	assert_int_equal(f->last_source, 1);
	assert_int_equal(f->last_cpu, -1);

	/* A fixed layout cannot be moved. */
	struct ghes_dev x86;
	struct bus bus;
	memset(&bus, 0, sizeof(bus));
	memset(&x86, 0, sizeof(x86));
	assert_int_equal(ghes_dev_init(&x86, &f->ram, &bus, &layout), 0);
	assert_true(ghes_dev_placed(&x86));
	assert_int_equal(ghes_dev_place(&x86, FW_POINTERS, FW_BLOCK_AR), -1);
	assert_int_equal(ghes_dev_reset(&x86), 0);
	assert_true(ghes_dev_placed(&x86));
}

/* The SEA source: every record accepted is notified once, on its own vCPU,
 * when it is accepted, queued or not; the acknowledge that writes a queued
 * one notifies nobody (the acknowledging vCPU is inside its SEA handler). */
static void test_fw_per_record(void **state)
{
	struct fixture *f = *state;
	uint8_t rec[GHES_RECORD_MAX];
	size_t n;
	struct ghes_dev_result r;

	assert_int_equal(ghes_dev_place(&f->dev, FW_POINTERS, FW_BLOCK_AR), 0);
	n = record(rec, 0x1000);
	r = ghes_dev_submit(&f->dev, 0, rec, n, 0x1000, 0);
	assert_int_equal(r.what, GHES_WRITE_NOW);
	assert_int_equal(f->notified, 1);
	assert_int_equal(f->last_cpu, 0);
	n = record(rec, 0x2000);
	r = ghes_dev_submit(&f->dev, 0, rec, n, 0x2000, 1);
	assert_int_equal(r.what, GHES_QUEUED);
	assert_int_equal(r.waiting, 1);
	assert_int_equal(f->notified, 2);
	assert_int_equal(f->last_source, 0);
	assert_int_equal(f->last_cpu, 1);
	assert_true(f->lock_free);
	expect_block(f, FW_BLOCK_AR, 0x1000);

	linux_ack64(f, 0);
	expect_block(f, FW_BLOCK_AR, 0x2000);
	assert_int_equal(ack_read64(f, 0), 0);
	assert_int_equal(f->notified, 2);
	linux_ack64(f, 0);
	assert_int_equal(f->notified, 2);
	assert_int_equal(ack_read64(f, 0), 1);

	/* A dropped record is not notified: nothing in the block is its. */
	for (unsigned i = 0; i < 1 + GHES_QUEUE_DEPTH; i++)
		assert_int_not_equal(ghes_dev_submit(&f->dev, 0, rec, n, i, 2).what, GHES_DROPPED);
	assert_int_equal(f->notified, 2 + 1 + GHES_QUEUE_DEPTH);
	assert_int_equal(ghes_dev_submit(&f->dev, 0, rec, n, 99, 2).what, GHES_DROPPED);
	assert_int_equal(f->notified, 2 + 1 + GHES_QUEUE_DEPTH);
}

static void test_fw_reset(void **state)
{
	struct fixture *f = *state;
	uint8_t rec[GHES_RECORD_MAX];
	size_t n = record(rec, 0x1000);

	assert_int_equal(ghes_dev_place(&f->dev, FW_POINTERS, FW_BLOCK_AR), 0);
	ghes_dev_submit(&f->dev, 0, rec, n, 1, 0);
	ghes_dev_submit(&f->dev, 0, rec, n, 2, 0);
	ghes_dev_submit(&f->dev, 1, rec, n, 3, -1);
	unsigned notified = f->notified;

	/* The new guest's firmware owns this memory again. */
	memset(gpa(f, FW_BASE), 0xa5, ARM64_GHES_MEM_SIZE);
	assert_int_equal(ghes_dev_reset(&f->dev), 3);
	assert_false(ghes_dev_placed(&f->dev));
	assert_true(all_a5(gpa(f, FW_BASE), ARM64_GHES_MEM_SIZE));
	assert_int_equal(ack_read64(f, 0), 1);
	linux_ack64(f, 0);
	assert_true(all_a5(gpa(f, FW_BASE), ARM64_GHES_MEM_SIZE));
	assert_int_equal(ghes_dev_submit(&f->dev, 0, rec, n, 4, 0).what, GHES_INVALID);
	assert_int_equal(f->notified, notified);
	assert_true(all_a5(gpa(f, FW_BASE), ARM64_GHES_MEM_SIZE));

	/* Placed again, elsewhere this time: the old place stays untouched. */
	const uint64_t base2 = 0x500000;
	assert_int_equal(ghes_dev_place(&f->dev, base2, base2 + 0x1000), 0);
	assert_int_equal(le64(gpa(f, base2 + 8)), base2 + 0x2000);
	assert_int_equal(ghes_dev_submit(&f->dev, 0, rec, n, 4, 0).what, GHES_WRITE_NOW);
	expect_block(f, base2 + 0x1000, 0x1000);
	assert_true(all_a5(gpa(f, FW_BASE), ARM64_GHES_MEM_SIZE));
	assert_int_equal(ghes_dev_reset(&f->dev), 1);
}

static void test_stride_refused(void **state)
{
	struct fixture *f = *state;
	struct ghes_dev other;
	struct bus bus;
	struct ghes_dev_layout l = fw_layout;

	memset(&bus, 0, sizeof(bus));
	l.ack_addr[1] = l.ack_addr[0] + 4;          /* 64-bit registers 4 bytes apart */
	assert_int_equal(ghes_dev_init(&other, &f->ram, &bus, &l), -1);
	l = fw_layout;
	l.ack_stride = 6;
	l.ack_addr[1] = l.ack_addr[0] + 6;
	assert_int_equal(ghes_dev_init(&other, &f->ram, &bus, &l), -1);
	assert_int_equal(bus.space[BUS_MMIO].count, 0);
	/* x86's stride given explicitly is x86's layout. */
	l = layout;
	l.ack_stride = GHES_ACK_STRIDE_IO32;
	assert_int_equal(ghes_dev_init(&other, &f->ram, &bus, &l), 0);
	assert_int_equal(bus.space[BUS_IO].count, 1);
}

/* Accesses to the 64-bit register of other widths and offsets. */
static void test_fw_register_forms(void **state)
{
	struct fixture *f = *state;
	uint8_t rec[GHES_RECORD_MAX];
	size_t n = record(rec, 0x1000);
	uint8_t d[8];

	assert_int_equal(ghes_dev_place(&f->dev, FW_POINTERS, FW_BLOCK_AR), 0);
	ghes_dev_submit(&f->dev, 1, rec, n, 0, -1);
	ghes_dev_submit(&f->dev, 1, rec, n, 0, -1);
	/* A 32-bit read of the low half, then of the high half (zero). */
	memset(d, 0xff, sizeof(d));
	assert_true(bus_dispatch(&f->bus, BUS_MMIO, fw_layout.ack_addr[1], false, d, 4));
	assert_int_equal(le32(d), 0);
	assert_int_equal(ack_read64(f, 0), 1);
	memset(d, 0xff, sizeof(d));
	assert_true(bus_dispatch(&f->bus, BUS_MMIO, ARM64_GHES_ACK_GPA + 4, false, d, 4));
	assert_int_equal(le32(d), 0);
	/* A 1 in the high half is no acknowledge; a 32-bit write of 1 at the
	 * register is one. */
	memset(d, 0, sizeof(d));
	d[0] = 1;
	assert_true(bus_dispatch(&f->bus, BUS_MMIO, fw_layout.ack_addr[1] + 4, true, d, 4));
	struct ghes_queue_stats st;
	ghes_dev_stats(&f->dev, 1, &st);
	assert_int_equal(st.acked, 0);
	assert_true(bus_dispatch(&f->bus, BUS_MMIO, fw_layout.ack_addr[1], true, d, 4));
	ghes_dev_stats(&f->dev, 1, &st);
	assert_int_equal(st.acked, 1);
	assert_int_equal(st.waiting, 0);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct cper_mem_error mem_page(uint64_t i)
{
	return (struct cper_mem_error){ .phys_addr = 0x200000 + i * 4096, .size = 4096,
					.severity = CPER_SEV_RECOVERABLE, .error_type = CPER_MEM_ERR_SCRUB_UE };
}

/* The pages in the block at gpa block, as the guest decodes them. */
static size_t block_pages(struct fixture *f, uint64_t block, uint64_t *out)
{
	const uint8_t *b = gpa(f, block);
	size_t n = (le32(b) >> CPER_BLOCK_ENTRY_COUNT_SHIFT) & CPER_BLOCK_ENTRY_COUNT_MAX;
	char why[128];

	assert_true(cper_block_check(b, CPER_ESTATUS_LEN + le32(b + 12), why, sizeof(why)));
	for (size_t i = 0; i < n; i++)
		out[i] = le64(b + CPER_ESTATUS_LEN + i * CPER_MEM_ENTRY_LEN + CPER_GDATA_LEN + 16);
	return n;
}

/* 40 pages at once on a notify-on-write source: 16 in the block and
 * notified at once; the acknowledge frees the block but only kicks; the
 * pump writes the next 16 once the pace has passed, not before; and so on
 * until every page was in a block once, in order. */
static void test_pages_paced(void **state)
{
	struct fixture *f = *state;
	struct cper_mem_error pages[40];
	uint64_t got[GHES_PAGES_PER_BLOCK];
	uint64_t next = 0, now;
	struct ghes_pages_result r;
	struct ghes_queue_stats st;

	for (unsigned i = 0; i < 40; i++)
		pages[i] = mem_page(i);
	r = ghes_dev_submit_pages(&f->dev, 1, pages, 40, -1);
	assert_int_equal(r.queued, 40);
	assert_int_equal(r.dropped + r.invalid, 0);
	assert_int_equal(r.waiting, 40 - GHES_PAGES_PER_BLOCK);
	assert_int_equal(f->notified, 1);
	assert_int_equal(f->last_source, 1);
	assert_true(f->lock_free);
	for (unsigned blk = 0; blk < 3; blk++) {
		size_t n = block_pages(f, BLOCK_AO, got);
		size_t want = 40 - next < GHES_PAGES_PER_BLOCK ? 40 - next : GHES_PAGES_PER_BLOCK;
		assert_int_equal(n, want);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(got[i], mem_page(next + i).phys_addr);
		next += n;
		/* Nothing due while the guest owns the block. */
		assert_int_equal(ghes_dev_pump(&f->dev, mono_ns() + 10 * GHES_PACE_MAX_NS), 0);
		assert_int_equal(f->notified, blk + 1);
		linux_ack(f, 1);
		assert_int_equal(f->notified, blk + 1);
		assert_int_equal(f->kicked, next < 40 ? blk + 1 : blk);
		assert_int_equal(ack_read(f, 1), 1);
		if (next == 40)
			break;
		now = mono_ns();
		uint64_t wait = ghes_dev_pump(&f->dev, now);
		assert_true(wait > 0 && wait <= GHES_PAGES_PER_BLOCK * GHES_PACE_PAGE_NS);
		assert_int_equal(f->notified, blk + 1);
		assert_int_equal(ghes_dev_pump(&f->dev, now + GHES_PACE_MAX_NS), 0);
		assert_int_equal(f->notified, blk + 2);
		assert_int_equal(f->last_cpu, -1);
		assert_int_equal(ack_read(f, 1), 0);
	}
	assert_int_equal(next, 40);
	ghes_dev_stats(&f->dev, 1, &st);
	assert_int_equal(st.pages_added, 40);
	assert_int_equal(st.pages_told, 40);
	assert_int_equal(st.pages_dropped, 0);
	assert_int_equal(st.pages_waiting, 0);
	assert_int_equal(st.pages_depth_max, 40);
	assert_int_equal(st.page_blocks, 3);
	assert_int_equal(st.acked, 3);
	/* A page after the pace passed goes at once. */
	pages[0] = mem_page(100);
	r = ghes_dev_submit_pages(&f->dev, 1, pages, 1, -1);
	assert_int_equal(r.waiting, 1);      /* the last acknowledge was just now */
	assert_int_equal(ghes_dev_pump(&f->dev, mono_ns() + GHES_PACE_MAX_NS), 0);
	assert_int_equal(block_pages(f, BLOCK_AO, got), 1);
	assert_int_equal(got[0], mem_page(100).phys_addr);
}

/* The page pace the machine sets (GHES alone) spaces blocks further. */
static void test_pages_slow_pace(void **state)
{
	struct fixture *f = *state;
	struct cper_mem_error pages[GHES_PAGES_PER_BLOCK + 1];
	uint64_t now, wait;

	for (unsigned i = 0; i <= GHES_PAGES_PER_BLOCK; i++)
		pages[i] = mem_page(i);
	ghes_dev_set_page_pace(&f->dev, GHES_PACE_PAGE_ALONE_NS);
	assert_int_equal(ghes_dev_submit_pages(&f->dev, 1, pages, GHES_PAGES_PER_BLOCK + 1, -1).waiting, 1);
	linux_ack(f, 1);
	now = mono_ns();
	wait = ghes_dev_pump(&f->dev, now);
	/* 16 pages at 40 ms, less the moment since the acknowledge. */
	assert_true(wait > GHES_PAGES_PER_BLOCK * GHES_PACE_PAGE_NS);
	assert_true(wait <= GHES_PAGES_PER_BLOCK * GHES_PACE_PAGE_ALONE_NS);
	assert_int_equal(ghes_dev_pump(&f->dev, now + GHES_PAGES_PER_BLOCK * GHES_PACE_PAGE_NS), wait -
			 GHES_PAGES_PER_BLOCK * GHES_PACE_PAGE_NS);
	assert_int_equal(f->notified, 1);
	assert_int_equal(ghes_dev_pump(&f->dev, now + wait), 0);
	assert_int_equal(f->notified, 2);
}

/* A hold keeps pages out of the free block until it ends, beyond the
 * pace; a shorter hold does not cut a longer one; a reset ends it. */
static void test_pages_held(void **state)
{
	struct fixture *f = *state;
	struct cper_mem_error pages[2] = { mem_page(0), mem_page(1) };
	const uint64_t hold = 3 * GHES_PACE_MAX_NS;
	uint64_t now = mono_ns(), got[GHES_PAGES_PER_BLOCK], wait;

	ghes_dev_hold_pages(&f->dev, 1, now + hold);
	ghes_dev_hold_pages(&f->dev, 1, now + 1);
	ghes_dev_hold_pages(&f->dev, 9, now + hold);   /* no such source: nothing */
	assert_int_equal(ghes_dev_submit_pages(&f->dev, 1, pages, 1, -1).waiting, 1);
	assert_int_equal(f->notified, 0);
	wait = ghes_dev_pump(&f->dev, now + GHES_PACE_MAX_NS);
	assert_true(wait > 0 && wait <= hold - GHES_PACE_MAX_NS);
	assert_int_equal(f->notified, 0);
	/* The other source is not held. */
	assert_int_equal(ghes_dev_submit_pages(&f->dev, 0, pages + 1, 1, 0).waiting, 0);
	assert_int_equal(f->notified, 1);
	assert_int_equal(ghes_dev_pump(&f->dev, now + hold), 0);
	assert_int_equal(f->notified, 2);
	assert_int_equal(block_pages(f, BLOCK_AO, got), 1);
	assert_int_equal(got[0], mem_page(0).phys_addr);
	/* A reset forgets the hold. */
	linux_ack(f, 1);
	ghes_dev_hold_pages(&f->dev, 1, mono_ns() + 100 * hold);
	ghes_dev_reset(&f->dev);
	assert_int_equal(ghes_dev_submit_pages(&f->dev, 1, pages, 1, -1).waiting, 0);
}

/* The backlog holds one page per 4 KiB of guest RAM; past that, pages are
 * dropped and counted. A reset forgets (and counts) what waits. */
static void test_pages_limit_and_reset(void **state)
{
	struct fixture *f = *state;
	size_t limit = RAM_SIZE / 4096, total = limit + GHES_PAGES_PER_BLOCK + 5;
	struct cper_mem_error *pages = calloc(total, sizeof(*pages));
	struct ghes_pages_result r;
	struct ghes_queue_stats st;

	assert_non_null(pages);
	for (size_t i = 0; i < total; i++)
		pages[i] = mem_page(i);
	r = ghes_dev_submit_pages(&f->dev, 0, pages, total, 0);
	/* All join the backlog before the first block is packed. */
	assert_int_equal(r.queued, limit);
	assert_int_equal(r.dropped, GHES_PAGES_PER_BLOCK + 5);
	assert_int_equal(r.waiting, limit - GHES_PAGES_PER_BLOCK);
	ghes_dev_stats(&f->dev, 0, &st);
	assert_int_equal(st.pages_dropped, GHES_PAGES_PER_BLOCK + 5);
	assert_int_equal(st.pages_told, GHES_PAGES_PER_BLOCK);
	assert_int_equal(st.pages_depth_max, limit);
	/* The block the guest holds, and the pages still waiting. */
	assert_int_equal(ghes_dev_reset(&f->dev), 1 + limit - GHES_PAGES_PER_BLOCK);
	ghes_dev_stats(&f->dev, 0, &st);
	assert_int_equal(st.pages_dropped, 5 + limit);
	assert_int_equal(st.pages_waiting, 0);
	/* Bad source: nothing taken, all counted invalid. */
	r = ghes_dev_submit_pages(&f->dev, GHES_SOURCES, pages, 3, 0);
	assert_int_equal(r.invalid, 3);
	assert_int_equal(r.queued, 0);
	free(pages);
}

/* A raw record waiting goes before the pages; the pages follow it. */
static void test_pages_after_records(void **state)
{
	struct fixture *f = *state;
	uint8_t rec[GHES_RECORD_MAX];
	size_t n = record(rec, 0x9000);
	struct cper_mem_error p = mem_page(1);
	uint64_t got[4];

	assert_int_equal(ghes_dev_submit(&f->dev, 1, rec, n, 0, -1).what, GHES_WRITE_NOW);
	assert_int_equal(ghes_dev_submit(&f->dev, 1, rec, n, 0, -1).what, GHES_QUEUED);
	assert_int_equal(ghes_dev_submit_pages(&f->dev, 1, &p, 1, -1).waiting, 1);
	linux_ack(f, 1);
	expect_block(f, BLOCK_AO, 0x9000);   /* the queued record, at once */
	assert_int_equal(ghes_dev_pump(&f->dev, mono_ns() + GHES_PACE_MAX_NS), 0);
	linux_ack(f, 1);
	assert_int_equal(f->kicked, 1);
	assert_int_equal(ghes_dev_pump(&f->dev, mono_ns() + GHES_PACE_MAX_NS), 0);
	assert_int_equal(block_pages(f, BLOCK_AO, got), 1);
	assert_int_equal(got[0], p.phys_addr);
}

/* arm64's SEA source: one notify per page, at submit, on the faulting
 * vCPU; one page per block, the next written at the acknowledge itself
 * (no pace: its SEA was already delivered). */
static void test_fw_pages_per_record(void **state)
{
	struct fixture *f = *state;
	struct cper_mem_error pages[3] = { mem_page(0), mem_page(1), mem_page(2) };
	uint64_t got[4];
	struct ghes_pages_result r;

	r = ghes_dev_submit_pages(&f->dev, 0, pages, 3, 1);
	assert_int_equal(r.invalid, 3);             /* not placed yet */
	assert_int_equal(f->notified, 0);
	assert_int_equal(ghes_dev_place(&f->dev, FW_POINTERS, FW_BLOCK_AR), 0);
	r = ghes_dev_submit_pages(&f->dev, 0, pages, 3, 1);
	assert_int_equal(r.queued, 3);
	assert_int_equal(r.waiting, 2);
	assert_int_equal(f->notified, 3);
	assert_int_equal(f->last_cpu, 1);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(block_pages(f, FW_BLOCK_AR, got), 1);
		assert_int_equal(got[0], pages[i].phys_addr);
		linux_ack64(f, 0);
	}
	assert_int_equal(f->notified, 3);
	assert_int_equal(f->kicked, 0);
	assert_int_equal(ack_read64(f, 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submit_and_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ao_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_register_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_submit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_and_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fw_unplaced, setup_fw, teardown),
		cmocka_unit_test_setup_teardown(test_fw_place, setup_fw, teardown),
		cmocka_unit_test_setup_teardown(test_fw_per_record, setup_fw, teardown),
		cmocka_unit_test_setup_teardown(test_fw_reset, setup_fw, teardown),
		cmocka_unit_test_setup_teardown(test_stride_refused, setup_fw, teardown),
		cmocka_unit_test_setup_teardown(test_fw_register_forms, setup_fw, teardown),
		cmocka_unit_test_setup_teardown(test_pages_paced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages_slow_pace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages_limit_and_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages_after_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fw_pages_per_record, setup_fw, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
