/* The 16550A as Linux's 8250 driver sees it: autoconfig's scratch, IER and
 * loopback probes, FIFO identification through IIR[7:6], the THRE
 * interrupt test of serial8250_do_startup, and the interrupt line. Register
 * numbers and bits are from the 16550A datasheet (spelled as numbers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "devices/uart16550.h"

struct sink {
	uint8_t tx[256];
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

static struct uart16550 u;
static struct sink sink;

static int setup(void **state)
{
	(void)state;
	memset(&sink, 0, sizeof(sink));
	sink.level = -1;
	uart_init(&u, on_tx, on_irq, &sink);
	return 0;
}

static uint8_t rd(uint16_t off)
{
	uint8_t v = 0xee;
	uart_access(&u, off, false, &v);
	return v;
}

static void wr(uint16_t off, uint8_t v)
{
	uart_access(&u, off, true, &v);
}

static void test_power_on(void **state)
{
	(void)state;
	/* uart_init lowers the line, once. */
	assert_int_equal(sink.irq_calls, 1);
	assert_int_equal(sink.levels[0], 0);
	assert_int_equal(rd(1), 0x00);        /* IER */
	assert_int_equal(rd(2), 0x01);        /* IIR: no interrupt, FIFOs off */
	assert_int_equal(rd(3), 0x00);        /* LCR */
	assert_int_equal(rd(4), 0x00);        /* MCR */
	assert_int_equal(rd(5), 0x60);        /* LSR: THRE | TEMT */
	assert_int_equal(rd(7), 0x00);        /* SCR */
	assert_int_equal(uart_rx_room(&u), 64);
	assert_int_equal(sink.irq_calls, 1);
	assert_int_equal(sink.ntx, 0);
}

static void test_scratch(void **state)
{
	(void)state;
	/* autoconfig: the scratch register holds what was written. */
	wr(7, 0xa5);
	assert_int_equal(rd(7), 0xa5);
	wr(7, 0x5a);
	assert_int_equal(rd(7), 0x5a);
	wr(7, 0x00);
	assert_int_equal(rd(7), 0x00);
	wr(7, 0xff);
	assert_int_equal(rd(7), 0xff);
	/* Offsets are taken modulo 8. */
	assert_int_equal(rd(8 + 7), 0xff);
	wr(16 + 7, 0x12);
	assert_int_equal(rd(7), 0x12);
}

static void test_ier_probe(void **state)
{
	(void)state;
	/* autoconfig: IER = 0 reads 0, IER = 0x0f reads 0x0f. */
	wr(1, 0x00);
	assert_int_equal(rd(1) & 0x0f, 0x00);
	wr(1, 0x0f);
	assert_int_equal(rd(1), 0x0f);
	/* Bits 7:4 do not exist on a 16550A (XScale UUE at bit 6 must not stick). */
	wr(1, 0xff);
	assert_int_equal(rd(1), 0x0f);
	wr(1, 0x40);
	assert_int_equal(rd(1), 0x00);
	wr(1, 0x00);
}

static void test_loopback_modem_lines(void **state)
{
	(void)state;
	/* autoconfig: MCR = LOOP | OUT2 | RTS must read back MSR[7:4] = DCD | CTS. */
	wr(4, 0x1a);
	assert_int_equal(rd(6) & 0xf0, 0x90);
	assert_int_equal(rd(4), 0x1a);
	/* DTR -> DSR, RTS -> CTS, OUT1 -> RI, OUT2 -> DCD. */
	wr(4, 0x11);
	assert_int_equal(rd(6) & 0xf0, 0x20);
	wr(4, 0x12);
	assert_int_equal(rd(6) & 0xf0, 0x10);
	wr(4, 0x14);
	assert_int_equal(rd(6) & 0xf0, 0x40);
	wr(4, 0x18);
	assert_int_equal(rd(6) & 0xf0, 0x80);
	wr(4, 0x1f);
	assert_int_equal(rd(6) & 0xf0, 0xf0);
	wr(4, 0x10);
	assert_int_equal(rd(6) & 0xf0, 0x00);
	/* MCR has five bits. */
	wr(4, 0xff);
	assert_int_equal(rd(4), 0x1f);
	/* Out of loopback: a terminal with carrier, DSR and CTS. */
	wr(4, 0x00);
	assert_int_equal(rd(6) & 0xb0, 0xb0);
	wr(4, 0x03);
	assert_int_equal(rd(6) & 0xb0, 0xb0);
}

static void test_loopback_data(void **state)
{
	(void)state;
	wr(4, 0x10);
	wr(0, 0x41);
	wr(0, 0x42);
	assert_int_equal(sink.ntx, 0);             /* nothing on the wire */
	assert_int_equal(rd(5) & 0x01, 0x01);      /* DR */
	assert_int_equal(rd(0), 0x41);
	assert_int_equal(rd(0), 0x42);
	assert_int_equal(rd(5) & 0x01, 0x00);
	/* Deaf to the line while looped back. */
	assert_false(uart_receive(&u, 'z'));
	assert_int_equal(rd(5) & 0x01, 0x00);
	assert_int_equal(uart_rx_room(&u), 64);
	/* Back to normal. */
	wr(4, 0x0b);
	assert_true(uart_receive(&u, 'z'));
	assert_int_equal(rd(0), 'z');
	wr(0, 'o');
	assert_int_equal(sink.ntx, 1);
	assert_int_equal(sink.tx[0], 'o');
}

static void test_transmit(void **state)
{
	const char *msg = "Linux version 6.1\r\n";
	(void)state;

	for (const char *p = msg; *p; p++) {
		assert_int_equal(rd(5) & 0x60, 0x60);   /* THRE and TEMT before each byte */
		wr(0, (uint8_t)*p);
	}
	assert_int_equal(sink.ntx, strlen(msg));
	assert_memory_equal(sink.tx, msg, strlen(msg));
	assert_int_equal(rd(5) & 0x60, 0x60);
}

static void test_fifo_identification(void **state)
{
	(void)state;
	/* FCR = ENABLE_FIFO: IIR[7:6] = 3 identifies a 16550A. */
	wr(2, 0x01);
	assert_int_equal(rd(2), 0xc1);
	assert_int_equal(rd(2) >> 6, 3);
	/* Trigger level bits and clears don't matter. */
	wr(2, 0xc7);
	assert_int_equal(rd(2), 0xc1);
	/* FIFOs off again: IIR[7:6] = 0. */
	wr(2, 0x00);
	assert_int_equal(rd(2), 0x01);
	/* Linux's 16750 probe writes FCR7_64BYTE (0x20); a 16550A ignores it. */
	wr(2, 0x21);
	assert_int_equal(rd(2) >> 5, 6);
	wr(3, 0x80);
	assert_int_equal(rd(2) >> 5, 6);
	wr(3, 0x00);
}

static void test_fifo_clear_rx(void **state)
{
	(void)state;
	for (int i = 0; i < 5; i++)
		assert_true(uart_receive(&u, (uint8_t)i));
	assert_int_equal(uart_rx_room(&u), 59);
	wr(2, 0x01 | 0x02);
	assert_int_equal(uart_rx_room(&u), 64);
	assert_int_equal(rd(5) & 0x01, 0);
	assert_true(uart_receive(&u, 9));
	assert_int_equal(rd(0), 9);
}

static void test_divisor_latch(void **state)
{
	(void)state;
	wr(1, 0x05);
	wr(3, 0x83);                          /* DLAB | 8N1 */
	assert_int_equal(rd(3), 0x83);
	wr(0, 0x01);                          /* DLL: 115200 baud */
	wr(1, 0x00);                          /* DLM */
	assert_int_equal(rd(0), 0x01);
	assert_int_equal(rd(1), 0x00);
	wr(1, 0xab);
	assert_int_equal(rd(1), 0xab);        /* all eight bits of DLM */
	wr(0, 0xcd);
	assert_int_equal(rd(0), 0xcd);
	assert_int_equal(sink.ntx, 0);        /* DLL writes are not data */
	/* Data received meanwhile stays queued behind the latch. */
	assert_true(uart_receive(&u, 'q'));
	assert_int_equal(rd(0), 0xcd);
	wr(3, 0x03);
	assert_int_equal(rd(3), 0x03);
	assert_int_equal(rd(1), 0x05);        /* IER again, untouched */
	assert_int_equal(rd(0), 'q');
	wr(0, 'x');
	assert_int_equal(sink.ntx, 1);
	/* The latch kept its value. */
	wr(3, 0x80);
	assert_int_equal(rd(0), 0xcd);
	assert_int_equal(rd(1), 0xab);
	wr(3, 0x00);
}

static void test_lsr(void **state)
{
	(void)state;
	assert_int_equal(rd(5), 0x60);
	assert_true(uart_receive(&u, 1));
	assert_int_equal(rd(5), 0x61);
	assert_int_equal(rd(5), 0x61);        /* reading LSR does not clear DR */
	rd(0);
	assert_int_equal(rd(5), 0x60);
	/* Writes to LSR and MSR are ignored. */
	wr(5, 0xff);
	wr(6, 0x00);
	assert_int_equal(rd(5), 0x60);
	assert_int_equal(rd(6) & 0xb0, 0xb0);
}

static void test_overrun(void **state)
{
	(void)state;
	wr(4, 0x10);
	for (int i = 0; i < 65; i++)
		wr(0, (uint8_t)(0x80 + i));
	/* The 65th byte overran the FIFO. */
	assert_int_equal(rd(5), 0x63);        /* DR | OE | THRE | TEMT */
	assert_int_equal(rd(5), 0x61);        /* OE cleared by the read */
	for (int i = 0; i < 64; i++)
		assert_int_equal(rd(0), 0x80 + i);
	assert_int_equal(rd(5), 0x60);
}

static void test_rx_fifo_limit(void **state)
{
	(void)state;
	for (int i = 0; i < 64; i++) {
		assert_int_equal(uart_rx_room(&u), 64 - i);
		assert_true(uart_receive(&u, (uint8_t)(i * 3)));
	}
	assert_int_equal(uart_rx_room(&u), 0);
	assert_false(uart_receive(&u, 0xff));
	assert_false(uart_receive(&u, 0xff));
	/* A refused byte is not an overrun: the caller keeps it. */
	assert_int_equal(rd(5), 0x61);
	for (int i = 0; i < 64; i++)
		assert_int_equal(rd(0), (uint8_t)(i * 3));
	assert_int_equal(uart_rx_room(&u), 64);
	assert_int_equal(rd(5) & 0x01, 0);
	/* Wraps around the ring. */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 50; i++)
			assert_true(uart_receive(&u, (uint8_t)(round + i)));
		for (int i = 0; i < 50; i++)
			assert_int_equal(rd(0), (uint8_t)(round + i));
	}
}

static void test_thri(void **state)
{
	(void)state;
	assert_int_equal(sink.level, 0);
	/* Enabling THRI with the holding register empty raises it. */
	wr(1, 0x02);
	assert_int_equal(sink.level, 1);
	assert_int_equal(rd(2) & 0x0f, 0x02);
	/* The IIR read that reported it acknowledged it. */
	assert_int_equal(sink.level, 0);
	assert_int_equal(rd(2) & 0x0f, 0x01);
	/* A THR write empties again at once: raised again. */
	wr(0, 'a');
	assert_int_equal(sink.level, 1);
	assert_int_equal(rd(2) & 0x0f, 0x02);
	assert_int_equal(sink.level, 0);
	/* Disabling THRI lowers the line without an IIR read. */
	wr(0, 'b');
	assert_int_equal(sink.level, 1);
	wr(1, 0x00);
	assert_int_equal(sink.level, 0);
	assert_int_equal(rd(2) & 0x0f, 0x01);
	/* THR writes with THRI disabled raise nothing. */
	wr(0, 'c');
	assert_int_equal(sink.level, 0);
	assert_int_equal(sink.ntx, 3);
}

static void test_linux_thre_test(void **state)
{
	uint8_t lsr, iir1, iir;
	(void)state;

	/* serial8250_do_startup's UART_BUG_THRE probe, FIFOs on. */
	wr(2, 0x01);
	wr(1, 0x02);
	lsr = rd(5);
	iir1 = rd(2);
	wr(1, 0x00);
	wr(1, 0x02);
	iir = rd(2);
	wr(1, 0x00);
	assert_true(lsr & 0x40);
	assert_int_equal(iir1, 0xc2);
	assert_false(iir & 0x01);            /* re-enabling raised THRI again */
	assert_int_equal(iir, 0xc2);
	assert_int_equal(sink.level, 0);
}

static void test_rdi(void **state)
{
	(void)state;
	/* Data without RDI enabled: no interrupt. */
	assert_true(uart_receive(&u, 'a'));
	assert_int_equal(sink.level, 0);
	assert_int_equal(rd(2), 0x01);
	/* Enabling RDI with data waiting raises it. */
	wr(1, 0x01);
	assert_int_equal(sink.level, 1);
	assert_int_equal(rd(2) & 0x0f, 0x04);
	assert_int_equal(rd(2) & 0x0f, 0x04);   /* IIR reads don't acknowledge RDI */
	assert_int_equal(sink.level, 1);
	assert_int_equal(rd(0), 'a');
	assert_int_equal(sink.level, 0);
	assert_int_equal(rd(2) & 0x0f, 0x01);
}

static void test_interrupt_priority(void **state)
{
	(void)state;
	/* Overrun + data + THR empty all at once. */
	wr(4, 0x10);
	for (int i = 0; i < 65; i++)
		wr(0, (uint8_t)i);
	wr(1, 0x07);                          /* RLSI | THRI | RDI */
	assert_int_equal(sink.level, 1);
	assert_int_equal(rd(2) & 0x0f, 0x06); /* receiver line status first */
	assert_int_equal(rd(2) & 0x0f, 0x06);
	rd(5);                                /* clears OE */
	assert_int_equal(rd(2) & 0x0f, 0x04); /* then received data */
	for (int i = 0; i < 64; i++)
		rd(0);
	assert_int_equal(sink.level, 1);
	assert_int_equal(rd(2) & 0x0f, 0x02); /* then THR empty, acknowledged by this read */
	assert_int_equal(rd(2) & 0x0f, 0x01);
	assert_int_equal(sink.level, 0);
	/* An RDI-masked overrun: RLSI still; RDI masked: skipped. */
	for (int i = 0; i < 65; i++)
		wr(0, (uint8_t)i);
	wr(1, 0x04);
	assert_int_equal(rd(2) & 0x0f, 0x06);
	rd(5);
	assert_int_equal(rd(2) & 0x0f, 0x01);
	assert_int_equal(sink.level, 0);
}

static void test_thri_not_acknowledged_by_higher_priority_read(void **state)
{
	(void)state;
	wr(1, 0x03);                          /* RDI | THRI */
	assert_true(uart_receive(&u, 'r'));
	assert_int_equal(rd(2) & 0x0f, 0x04); /* RDI shown: THRI stays pending */
	rd(0);
	assert_int_equal(rd(2) & 0x0f, 0x02);
	assert_int_equal(rd(2) & 0x0f, 0x01);
}

static void test_irq_callback_only_on_changes(void **state)
{
	unsigned calls;
	(void)state;

	wr(1, 0x01);
	calls = sink.irq_calls;
	for (int i = 0; i < 10; i++)
		assert_true(uart_receive(&u, (uint8_t)i));
	assert_int_equal(sink.irq_calls, calls + 1);
	assert_int_equal(sink.level, 1);
	for (int i = 0; i < 9; i++)
		rd(0);
	rd(5);
	rd(2);
	rd(7);
	wr(7, 1);
	assert_int_equal(sink.irq_calls, calls + 1);
	rd(0);
	assert_int_equal(sink.irq_calls, calls + 2);
	assert_int_equal(sink.level, 0);
	rd(0);
	rd(2);
	assert_int_equal(sink.irq_calls, calls + 2);
	/* The line never reported the same level twice in a row. */
	for (unsigned i = 1; i < sink.irq_calls && i < 64; i++)
		assert_int_not_equal(sink.levels[i], sink.levels[i - 1]);
}

static void test_reset(void **state)
{
	unsigned calls;
	(void)state;

	wr(1, 0x0f);
	wr(3, 0x1b);
	wr(4, 0x0b);
	wr(7, 0x77);
	wr(2, 0x01);
	assert_true(uart_receive(&u, 1));
	assert_int_equal(sink.level, 1);
	calls = sink.irq_calls;
	uart_reset(&u);
	assert_int_equal(sink.irq_calls, calls + 1);
	assert_int_equal(sink.level, 0);
	assert_int_equal(rd(1), 0);
	assert_int_equal(rd(2), 0x01);
	assert_int_equal(rd(3), 0);
	assert_int_equal(rd(4), 0);
	assert_int_equal(rd(5), 0x60);
	assert_int_equal(rd(7), 0);
	assert_int_equal(uart_rx_room(&u), 64);
	/* Reset with the line already low still leaves it low. */
	uart_reset(&u);
	assert_int_equal(sink.level, 0);
}

static void test_no_callbacks(void **state)
{
	struct uart16550 bare;
	uint8_t v;
	(void)state;

	uart_init(&bare, NULL, NULL, NULL);
	v = 'x';
	uart_access(&bare, 0, true, &v);      /* no sink: dropped */
	v = 0x03;
	uart_access(&bare, 1, true, &v);
	assert_true(uart_receive(&bare, 'y'));
	uart_access(&bare, 2, false, &v);
	assert_int_equal(v & 0x0f, 0x04);
	uart_access(&bare, 0, false, &v);
	assert_int_equal(v, 'y');
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_power_on),
		T(test_scratch),
		T(test_ier_probe),
		T(test_loopback_modem_lines),
		T(test_loopback_data),
		T(test_transmit),
		T(test_fifo_identification),
		T(test_fifo_clear_rx),
		T(test_divisor_latch),
		T(test_lsr),
		T(test_overrun),
		T(test_rx_fifo_limit),
		T(test_thri),
		T(test_linux_thre_test),
		T(test_rdi),
		T(test_interrupt_priority),
		T(test_thri_not_acknowledged_by_higher_priority_read),
		T(test_irq_callback_only_on_changes),
		T(test_reset),
		T(test_no_callbacks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
