/* The PL011 as Linux's AMBA bus and amba-pl011 driver see it: the ID
 * registers the bus matches on, reset values, UARTFR polling by earlycon
 * and console writes, the receive FIFO with its trigger levels and
 * timeout, the transmit interrupt, interrupt masking and clearing,
 * loopback with its modem lines, and accesses of every size and offset.
 * Offsets and bits are from the PL011 TRM (DDI 0183), spelled as numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "devices/pl011.h"

struct sink {
	uint8_t tx[512];
	unsigned ntx;
	int level;
	unsigned irq_calls;
	int levels[64];
};

static void on_tx(void *opaque, uint8_t byte)
{
	struct sink *s = opaque;
	assert_true(s->ntx < sizeof(s->tx));
	s->tx[s->ntx++] = byte;
}

static void on_irq(void *opaque, int level)
{
	struct sink *s = opaque;
	if (s->irq_calls < 64)
		s->levels[s->irq_calls] = level;
	s->irq_calls++;
	s->level = level;
}

static struct pl011 u;
static struct sink sink;

static int setup(void **state)
{
	(void)state;
	memset(&sink, 0, sizeof(sink));
	sink.level = -1;
	pl011_init(&u, on_tx, on_irq, &sink);
	return 0;
}

static uint32_t rd(uint64_t off)
{
	uint8_t d[4] = { 0xee, 0xee, 0xee, 0xee };
	pl011_access(&u, off, false, d, 4);
	return d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24;
}

static void wr(uint64_t off, uint32_t v)
{
	uint8_t d[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	pl011_access(&u, off, true, d, 4);
}

static uint16_t rd16(uint64_t off)
{
	uint8_t d[2] = { 0xee, 0xee };
	pl011_access(&u, off, false, d, 2);
	return (uint16_t)(d[0] | d[1] << 8);
}

static void wr16(uint64_t off, uint16_t v)
{
	uint8_t d[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	pl011_access(&u, off, true, d, 2);
}

/* Linux's pl011 setup: FIFO on, 8N1, UART, TX and RX enabled. */
static void linux_startup(void)
{
	wr(0x044, 0x7ff);                 /* clear everything */
	wr(0x034, 0x12);
	wr(0x024, 13);
	wr(0x028, 1);
	wr(0x02c, 0x70);                  /* WLEN 8, FEN */
	wr(0x030, 0x0301);
	wr(0x038, 0x050);                 /* RXIM | RTIM */
}

static void test_power_on(void **state)
{
	(void)state;
	assert_int_equal(sink.irq_calls, 1);
	assert_int_equal(sink.levels[0], 0);
	assert_int_equal(rd(0x018), 0x97);     /* TXFE | RXFE | DCD | DSR | CTS */
	assert_int_equal(rd(0x030), 0x0300);   /* TXE | RXE */
	assert_int_equal(rd(0x034), 0x12);
	assert_int_equal(rd(0x02c), 0);
	assert_int_equal(rd(0x024), 0);
	assert_int_equal(rd(0x028), 0);
	assert_int_equal(rd(0x020), 0);
	assert_int_equal(rd(0x038), 0);
	assert_int_equal(rd(0x03c), 0);
	assert_int_equal(rd(0x040), 0);
	assert_int_equal(rd(0x048), 0);
	assert_int_equal(rd(0x004), 0);
	assert_int_equal(rd(0x000), 0);        /* empty FIFO reads 0 */
	assert_int_equal(pl011_rx_room(&u), 1); /* FIFO off: holding register */
	assert_int_equal(sink.irq_calls, 1);
	assert_int_equal(sink.ntx, 0);
}

static void test_id_registers(void **state)
{
	static const uint32_t want[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
	uint32_t periphid = 0, cid = 0;
	(void)state;

	for (int i = 0; i < 8; i++)
		assert_int_equal(rd(0xfe0 + 4 * (uint64_t)i), want[i]);
	/* As the AMBA bus assembles them. */
	for (int i = 0; i < 4; i++) {
		periphid |= (rd(0xfe0 + 4 * (uint64_t)i) & 0xff) << (8 * i);
		cid |= (rd(0xff0 + 4 * (uint64_t)i) & 0xff) << (8 * i);
	}
	assert_int_equal(cid, 0xb105f00d);
	assert_int_equal(periphid, 0x00341011);
	/* amba-pl011's match: id 0x00041011 under mask 0x000fffff. */
	assert_int_equal(periphid & 0x000fffff, 0x00041011);
	/* Revision 3: Linux gives it 32-entry FIFOs. */
	assert_int_equal((periphid >> 20) & 0xf, 3);
	/* Read-only. */
	wr(0xfe0, 0xff);
	wr(0xffc, 0);
	assert_int_equal(rd(0xfe0), 0x11);
	assert_int_equal(rd(0xffc), 0xb1);
	/* Byte reads, as some probes do. */
	uint8_t b = 0;
	pl011_access(&u, 0xff4, false, &b, 1);
	assert_int_equal(b, 0xf0);
}

static void test_transmit(void **state)
{
	const char *msg = "Booting Linux on physical CPU 0x0\r\n";
	(void)state;

	/* earlycon before any driver: UARTEN is still clear; output goes out. */
	for (const char *p = msg; *p; p++) {
		uint32_t fr = rd(0x018);
		assert_false(fr & 0x20);           /* never TXFF */
		assert_false(fr & 0x08);           /* never BUSY */
		assert_true(fr & 0x80);            /* always TXFE */
		wr(0x000, (uint8_t)*p);
	}
	assert_int_equal(sink.ntx, strlen(msg));
	assert_memory_equal(sink.tx, msg, strlen(msg));
	/* Byte writes, as earlycon does with writeb. */
	uint8_t c = 'Z';
	pl011_access(&u, 0x000, true, &c, 1);
	assert_int_equal(sink.tx[sink.ntx - 1], 'Z');
	/* Only the low 8 bits are data. */
	wr(0x000, 0xf41);
	assert_int_equal(sink.tx[sink.ntx - 1], 0x41);
	/* TX disabled still sends. */
	wr(0x030, 0x0000);
	wr(0x000, 'q');
	assert_int_equal(sink.tx[sink.ntx - 1], 'q');
}

static void test_tx_interrupt(void **state)
{
	(void)state;
	linux_startup();
	assert_int_equal(sink.level, 0);
	/* Enabling TXIM with nothing sent raises nothing (Linux writes first). */
	wr(0x038, 0x070);
	assert_int_equal(sink.level, 0);
	assert_int_equal(rd(0x03c) & 0x20, 0);
	/* A write drains at once: TXRIS. */
	wr(0x000, 'a');
	assert_int_equal(rd(0x03c) & 0x20, 0x20);
	assert_int_equal(rd(0x040), 0x20);
	assert_int_equal(sink.level, 1);
	/* Masking it lowers the line, RIS stays. */
	wr(0x038, 0x050);
	assert_int_equal(sink.level, 0);
	assert_int_equal(rd(0x03c) & 0x20, 0x20);
	assert_int_equal(rd(0x040), 0);
	/* Unmasking raises it again; ICR clears it. */
	wr(0x038, 0x070);
	assert_int_equal(sink.level, 1);
	wr(0x044, 0x20);
	assert_int_equal(sink.level, 0);
	assert_int_equal(rd(0x03c), 0);
}

static void test_fifo_and_flags(void **state)
{
	(void)state;
	linux_startup();
	assert_int_equal(pl011_rx_room(&u), 32);
	for (int i = 0; i < 32; i++) {
		uint32_t fr = rd(0x018);
		assert_int_equal(!!(fr & 0x10), i == 0);   /* RXFE */
		assert_false(fr & 0x40);                   /* RXFF */
		assert_true(pl011_receive(&u, (uint8_t)(i + 1)));
	}
	assert_int_equal(pl011_rx_room(&u), 0);
	assert_int_equal(rd(0x018) & 0x50, 0x40);          /* RXFF, not RXFE */
	/* A full FIFO refuses, and that is no overrun: the caller waits. */
	assert_false(pl011_receive(&u, 0xff));
	assert_false(pl011_receive(&u, 0xff));
	assert_int_equal(rd(0x004), 0);
	assert_int_equal(rd(0x03c) & 0x400, 0);
	for (int i = 0; i < 32; i++) {
		assert_int_equal(rd(0x000), i + 1);
		assert_int_equal(pl011_rx_room(&u), (size_t)i + 1);
	}
	assert_int_equal(rd(0x018) & 0x50, 0x10);
	assert_int_equal(rd(0x000), 0);
	/* Around the ring a few times. */
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 20; i++)
			assert_true(pl011_receive(&u, (uint8_t)(round * 20 + i)));
		for (int i = 0; i < 20; i++)
			assert_int_equal(rd(0x000), round * 20 + i);
	}
}

static void test_fifo_disabled(void **state)
{
	(void)state;
	/* Out of reset the FIFO is off: one character at a time. */
	assert_true(pl011_receive(&u, 'a'));
	assert_int_equal(pl011_rx_room(&u), 0);
	assert_int_equal(rd(0x018) & 0x50, 0x40);
	assert_false(pl011_receive(&u, 'b'));
	assert_int_equal(rd(0x000), 'a');
	assert_true(pl011_receive(&u, 'b'));
	/* Turning the FIFO on keeps what was received. */
	wr(0x02c, 0x70);
	assert_int_equal(pl011_rx_room(&u), 31);
	assert_true(pl011_receive(&u, 'c'));
	assert_true(pl011_receive(&u, 'd'));
	/* ...and turning it off keeps it too: it drains through UARTDR. */
	wr(0x02c, 0x60);
	assert_int_equal(pl011_rx_room(&u), 0);
	assert_false(pl011_receive(&u, 'e'));
	assert_int_equal(rd(0x000), 'b');
	assert_int_equal(rd(0x000), 'c');
	assert_int_equal(rd(0x000), 'd');
	assert_int_equal(rd(0x018) & 0x10, 0x10);
	assert_int_equal(pl011_rx_room(&u), 1);
}

static void test_rx_interrupts_linux(void **state)
{
	(void)state;
	linux_startup();
	assert_int_equal(sink.level, 0);
	/* One byte, below the 1/2 trigger (16): the receive timeout. */
	assert_true(pl011_receive(&u, 'x'));
	assert_int_equal(sink.level, 1);
	assert_int_equal(rd(0x03c), 0x40);
	assert_int_equal(rd(0x040), 0x40);
	/* pl011_int: reads until RXFE; the last read clears RT. */
	assert_int_equal(rd(0x000), 'x');
	assert_int_equal(sink.level, 0);
	assert_int_equal(rd(0x03c), 0);
	/* Sixteen bytes reach the trigger: RX as well. */
	for (int i = 0; i < 15; i++)
		assert_true(pl011_receive(&u, (uint8_t)i));
	assert_int_equal(rd(0x03c), 0x40);
	assert_true(pl011_receive(&u, 15));
	assert_int_equal(rd(0x03c), 0x50);
	/* Reading one takes it below the trigger: RX clears, RT stays. */
	rd(0x000);
	assert_int_equal(rd(0x03c), 0x40);
	assert_int_equal(sink.level, 1);
	while (!(rd(0x018) & 0x10))
		rd(0x000);
	assert_int_equal(rd(0x03c), 0);
	assert_int_equal(sink.level, 0);
}

static void test_rx_trigger_levels(void **state)
{
	static const unsigned level[8] = { 4, 8, 16, 24, 28, 28, 28, 28 };
	(void)state;

	for (unsigned sel = 0; sel < 8; sel++) {
		setup(NULL);
		wr(0x02c, 0x10);
		wr(0x034, sel << 3);
		assert_int_equal(rd(0x034), sel << 3);
		wr(0x038, 0x10);                   /* RXIM only */
		for (unsigned i = 1; i <= 32; i++) {
			assert_true(pl011_receive(&u, (uint8_t)i));
			assert_int_equal(sink.level, i >= level[sel]);
		}
		/* Drain to just below the level: it falls. */
		for (unsigned i = 32; i >= level[sel]; i--)
			rd(0x000);
		assert_int_equal(sink.level, 0);
	}
	/* FIFO off: every character is the trigger. */
	setup(NULL);
	wr(0x038, 0x10);
	assert_true(pl011_receive(&u, 1));
	assert_int_equal(sink.level, 1);
	rd(0x000);
	assert_int_equal(sink.level, 0);
	/* IFLS keeps 6 bits. */
	wr(0x034, 0xffff);
	assert_int_equal(rd(0x034), 0x3f);
}

static void test_icr_and_masks(void **state)
{
	(void)state;
	linux_startup();
	for (int i = 0; i < 20; i++)
		assert_true(pl011_receive(&u, (uint8_t)i));
	wr(0x000, '!');
	assert_int_equal(rd(0x03c), 0x70);
	assert_int_equal(rd(0x040), 0x50);           /* TX masked */
	/* Clearing RT and RX without reading: low, until the next byte. */
	wr(0x044, 0x50);
	assert_int_equal(rd(0x03c), 0x20);
	assert_int_equal(sink.level, 0);
	assert_true(pl011_receive(&u, 20));
	assert_int_equal(rd(0x03c), 0x70);
	assert_int_equal(sink.level, 1);
	/* IMSC holds 11 bits; ICR of unknown bits is harmless. */
	wr(0x038, 0xffffffff);
	assert_int_equal(rd(0x038), 0x7ff);
	wr(0x044, 0xfffff800);
	assert_int_equal(rd(0x03c), 0x70);
	wr(0x044, 0xffffffff);
	assert_int_equal(rd(0x03c), 0);
	assert_int_equal(sink.level, 0);
	/* ICR reads as zero. */
	assert_int_equal(rd(0x044), 0);
}

static void test_loopback(void **state)
{
	(void)state;
	linux_startup();
	wr(0x030, 0x0381);                            /* LBE */
	wr(0x000, 'L');
	wr(0x000, 'B');
	assert_int_equal(sink.ntx, 0);
	assert_int_equal(rd(0x000), 'L');
	assert_int_equal(rd(0x000), 'B');
	/* Deaf to the outside while looped back. */
	assert_false(pl011_receive(&u, 'z'));
	wr(0x030, 0x0301);
	assert_true(pl011_receive(&u, 'z'));
	assert_int_equal(rd(0x000), 'z');
	wr(0x000, 'o');
	assert_int_equal(sink.ntx, 1);
}

static void test_modem_lines(void **state)
{
	(void)state;
	/* A terminal: DCD, DSR, CTS up, RI down, whatever the outputs say. */
	wr(0x030, 0x3f01);
	assert_int_equal(rd(0x018) & 0x107, 0x007);
	assert_int_equal(rd(0x03c), 0);
	/* Loopback: RTS -> CTS, DTR -> DSR, Out1 -> DCD, Out2 -> RI, and
	 * each change raises its modem interrupt. */
	wr(0x030, 0x0081);
	assert_int_equal(rd(0x018) & 0x107, 0);
	assert_int_equal(rd(0x03c), 0x00e);           /* CTS, DCD, DSR fell */
	wr(0x044, 0x7ff);
	wr(0x030, 0x0881);
	assert_int_equal(rd(0x018) & 0x107, 0x001);
	assert_int_equal(rd(0x03c), 0x002);
	wr(0x030, 0x0c81);
	assert_int_equal(rd(0x018) & 0x107, 0x003);
	assert_int_equal(rd(0x03c), 0x00a);
	wr(0x030, 0x1c81);
	assert_int_equal(rd(0x018) & 0x107, 0x007);
	assert_int_equal(rd(0x03c), 0x00e);
	wr(0x030, 0x3c81);
	assert_int_equal(rd(0x018) & 0x107, 0x107);
	assert_int_equal(rd(0x03c), 0x00f);
	wr(0x044, 0x7ff);
	/* An unchanged write raises nothing. */
	wr(0x030, 0x3c81);
	assert_int_equal(rd(0x03c), 0);
	/* Masked modem interrupts reach the line. */
	wr(0x038, 0x001);
	wr(0x030, 0x1c81);                            /* RI falls */
	assert_int_equal(sink.level, 1);
	assert_int_equal(rd(0x040), 0x001);
	/* Reserved CR bits 6:3 do not stick. */
	wr(0x030, 0xffff);
	assert_int_equal(rd(0x030), 0xff87);
}

static void test_overrun(void **state)
{
	(void)state;
	linux_startup();
	wr(0x038, 0x400);                             /* OEIM */
	wr(0x030, 0x0381);                            /* loopback: the only way to overrun */
	for (int i = 0; i < 33; i++)
		wr(0x000, (uint8_t)(0x40 + i));
	assert_int_equal(rd(0x004), 0x08);            /* RSR.OE */
	assert_int_equal(rd(0x03c) & 0x400, 0x400);
	assert_int_equal(sink.level, 1);
	for (int i = 0; i < 32; i++)
		assert_int_equal(rd(0x000), 0x40 + i);    /* the 33rd was lost */
	/* The next character received carries DR.OE. */
	wr(0x000, 'n');
	assert_int_equal(rd(0x000), 0x800 | 'n');
	assert_int_equal(rd(0x004), 0x08);            /* until UARTECR */
	wr(0x004, 0);
	assert_int_equal(rd(0x004), 0);
	wr(0x044, 0x400);
	assert_int_equal(sink.level, 0);
	wr(0x000, 'o');
	assert_int_equal(rd(0x000), 'o');
}

static void test_plain_registers(void **state)
{
	(void)state;
	wr(0x024, 0x12345);
	assert_int_equal(rd(0x024), 0x2345);          /* IBRD: 16 bits */
	wr(0x028, 0xff);
	assert_int_equal(rd(0x028), 0x3f);            /* FBRD: 6 bits */
	wr(0x02c, 0x1ff);
	assert_int_equal(rd(0x02c), 0xff);            /* LCR_H: 8 bits */
	wr(0x020, 0x1a5);
	assert_int_equal(rd(0x020), 0xa5);            /* ILPR: 8 bits */
	wr(0x048, 0xff);
	assert_int_equal(rd(0x048), 0x7);             /* DMACR: 3 bits */
	/* Read-only registers ignore writes. */
	wr(0x018, 0);
	assert_int_equal(rd(0x018) & 0x90, 0x90);
	wr(0x03c, 0x7ff);
	wr(0x040, 0x7ff);
	assert_int_equal(rd(0x03c), 0);
	assert_int_equal(rd(0x040), 0);
	/* Reserved and test registers read 0 and ignore writes. */
	for (uint64_t off = 0x008; off < 0x018; off += 4) {
		wr(off, 0xffffffff);
		assert_int_equal(rd(off), 0);
	}
	for (uint64_t off = 0x04c; off < 0xfe0; off += 4) {
		wr(off, 0xffffffff);
		assert_int_equal(rd(off), 0);
	}
	assert_int_equal(sink.ntx, 0);
	assert_int_equal(sink.level, 0);
}

static void test_16bit_accesses(void **state)
{
	(void)state;
	/* amba-pl011 uses 16-bit accesses for the ARM vendor's UART. */
	wr16(0x030, 0x0301);
	assert_int_equal(rd16(0x030), 0x0301);
	wr16(0x02c, 0x70);
	assert_true(pl011_receive(&u, 'k'));
	assert_int_equal(rd16(0x018) & 0x10, 0);
	assert_int_equal(rd16(0x000), 'k');
	assert_int_equal(rd16(0x018) & 0x10, 0x10);
	wr16(0x000, 'w');
	assert_int_equal(sink.tx[0], 'w');
}

static void test_odd_accesses(void **state)
{
	uint8_t d[8];
	(void)state;

	assert_true(pl011_receive(&u, 'p'));
	/* Unaligned offsets: zero, no side effect (the byte stays). */
	for (uint64_t off = 1; off < 4; off++) {
		memset(d, 0xee, sizeof(d));
		pl011_access(&u, off, false, d, 1);
		assert_int_equal(d[0], 0);
		pl011_access(&u, 0x018 + off, false, d, 2);
		assert_int_equal(d[0] | d[1], 0);
		d[0] = 'X';
		pl011_access(&u, off, true, d, 1);
		pl011_access(&u, 0x030 + off, true, d, 1);
	}
	assert_int_equal(sink.ntx, 0);
	assert_int_equal(rd(0x030), 0x0300);
	/* 8-byte reads: the register, zero above. */
	memset(d, 0xee, sizeof(d));
	pl011_access(&u, 0x030, false, d, 8);
	assert_int_equal(d[0], 0x00);
	assert_int_equal(d[1], 0x03);
	for (int i = 2; i < 8; i++)
		assert_int_equal(d[i], 0);
	/* 8-byte write: the low 32 bits. */
	memset(d, 0, sizeof(d));
	d[0] = 0x01;
	d[1] = 0x03;
	d[4] = 0xff;
	pl011_access(&u, 0x030, true, d, 8);
	assert_int_equal(rd(0x030), 0x0301);
	/* Byte read of a 16-bit register: the low byte. */
	pl011_access(&u, 0x030, false, d, 1);
	assert_int_equal(d[0], 0x01);
	/* Sizes other than 1, 2, 4, 8: nothing happens, data untouched. */
	static const unsigned bad[] = { 0, 3, 5, 6, 7, 9, 16, 0xffffffffu };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(d, 0xee, sizeof(d));
		pl011_access(&u, 0x000, false, d, bad[i]);
		assert_int_equal(d[0], 0xee);
		pl011_access(&u, 0x000, true, d, bad[i]);
	}
	assert_int_equal(sink.ntx, 0);
	assert_int_equal(rd(0x000), 'p');
	/* Outside the 4 KiB window, anywhere in 64 bits. */
	static const uint64_t far[] = { 0x1000, 0x1004, 0x2000, 0xfffffffffffffffcULL, 1ULL << 63 };
	for (size_t i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
		memset(d, 0xee, sizeof(d));
		pl011_access(&u, far[i], false, d, 4);
		assert_int_equal(d[0] | d[1] | d[2] | d[3], 0);
		pl011_access(&u, far[i], true, d, 4);
	}
	assert_int_equal(sink.ntx, 0);
	/* Every offset, size and direction of the window: never a crash. */
	for (uint64_t off = 0; off < 0x1010; off++)
		for (unsigned size = 0; size <= 8; size++) {
			memset(d, 0x5a, sizeof(d));
			pl011_access(&u, off, false, d, size);
			memset(d, 0x5a, sizeof(d));
			pl011_access(&u, off, true, d, size);
		}
}

static void test_irq_callback_only_on_changes(void **state)
{
	unsigned calls;
	(void)state;

	linux_startup();
	calls = sink.irq_calls;
	for (int i = 0; i < 20; i++)
		assert_true(pl011_receive(&u, (uint8_t)i));
	assert_int_equal(sink.irq_calls, calls + 1);
	for (int i = 0; i < 19; i++)
		rd(0x000);
	rd(0x018);
	rd(0x03c);
	wr(0x034, 0x12);
	assert_int_equal(sink.irq_calls, calls + 1);
	rd(0x000);
	assert_int_equal(sink.irq_calls, calls + 2);
	assert_int_equal(sink.level, 0);
	for (unsigned i = 1; i < sink.irq_calls && i < 64; i++)
		assert_int_not_equal(sink.levels[i], sink.levels[i - 1]);
}

static void test_reset(void **state)
{
	unsigned calls;
	(void)state;

	linux_startup();
	wr(0x038, 0x7ff);
	wr(0x020, 9);
	wr(0x048, 1);
	for (int i = 0; i < 10; i++)
		assert_true(pl011_receive(&u, (uint8_t)i));
	assert_int_equal(sink.level, 1);
	calls = sink.irq_calls;
	pl011_reset(&u);
	assert_int_equal(sink.irq_calls, calls + 1);
	assert_int_equal(sink.level, 0);
	assert_int_equal(rd(0x018), 0x97);
	assert_int_equal(rd(0x030), 0x0300);
	assert_int_equal(rd(0x034), 0x12);
	assert_int_equal(rd(0x02c), 0);
	assert_int_equal(rd(0x024), 0);
	assert_int_equal(rd(0x028), 0);
	assert_int_equal(rd(0x020), 0);
	assert_int_equal(rd(0x038), 0);
	assert_int_equal(rd(0x03c), 0);
	assert_int_equal(rd(0x048), 0);
	assert_int_equal(pl011_rx_room(&u), 1);
	pl011_reset(&u);
	assert_int_equal(sink.level, 0);
}

static void test_no_callbacks(void **state)
{
	struct pl011 bare;
	uint8_t d[4] = { 'x', 0, 0, 0 };
	(void)state;

	pl011_init(&bare, NULL, NULL, NULL);
	pl011_access(&bare, 0x000, true, d, 4);      /* no sink: dropped */
	d[0] = 0x40;
	pl011_access(&bare, 0x038, true, d, 4);
	assert_true(pl011_receive(&bare, 'y'));
	pl011_access(&bare, 0x040, false, d, 4);
	assert_int_equal(d[0], 0x40);
	pl011_access(&bare, 0x000, false, d, 4);
	assert_int_equal(d[0], 'y');
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_power_on),
		T(test_id_registers),
		T(test_transmit),
		T(test_tx_interrupt),
		T(test_fifo_and_flags),
		T(test_fifo_disabled),
		T(test_rx_interrupts_linux),
		T(test_rx_trigger_levels),
		T(test_icr_and_masks),
		T(test_loopback),
		T(test_modem_lines),
		T(test_overrun),
		T(test_plain_registers),
		T(test_16bit_accesses),
		T(test_odd_accesses),
		T(test_irq_callback_only_on_changes),
		T(test_reset),
		T(test_no_callbacks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
