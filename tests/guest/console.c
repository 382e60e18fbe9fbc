/* COM1 console, polled, and the few library functions a freestanding
 * program still needs (the compiler may emit calls to memcpy and memset). */
#include "hw.h"
#include "mcetest.h"

#include <stdbool.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	char *d = dst;
	const char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	char *d = dst;

	while (n--)
		*d++ = (char)c;
	return dst;
}

/* The initial APIC id, which vmras makes the vCPU index. */
unsigned this_cpu(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return b >> 24;
}

static void uart_putc(char ch)
{
	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
		cpu_relax();
	outb(COM1, (uint8_t)ch);
}

/* No UART set-up at all: vmras's 16550 needs none, and resetting the FIFOs
 * would throw away a "go" byte that arrived early. */
int console_getc(void)
{
	while (!(inb(COM1 + UART_LSR) & UART_LSR_DR))
		cpu_relax();
	return inb(COM1);
}

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, char c)
{
	if (b->len + 1 < b->cap)
		b->p[b->len++] = c;
}

static void put_str(struct buf *b, const char *s)
{
	while (*s)
		put(b, *s++);
}

static void put_num(struct buf *b, uint64_t v, unsigned base)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		put(b, tmp[--n]);
}

/* printf subset: %s %c %d %u %x %ld %lu %lx (hex without "0x"). */
static void vfmt(struct buf *b, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		bool is_long = false;

		if (*fmt != '%') {
			put(b, *fmt);
			continue;
		}
		if (*++fmt == 'l') {
			is_long = true;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			put_str(b, va_arg(ap, const char *));
			break;
		case 'c':
			put(b, (char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = is_long ? va_arg(ap, long) : va_arg(ap, int);
			if (v < 0) {
				put(b, '-');
				v = -v;
			}
			put_num(b, (uint64_t)v, 10);
			break;
		}
		case 'u':
			put_num(b, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10);
			break;
		case 'x':
			put_num(b, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16);
			break;
		case '%':
			put(b, '%');
			break;
		default:
			put(b, '?');
			if (!*fmt)
				return;
		}
	}
}

/* The APIC id of the CPU writing a line, or -1. A #MC can arrive while its
 * CPU is in the middle of a line; that CPU then prints its own lines inside
 * without taking the lock again (the line is cut, but nothing deadlocks). */
static volatile int console_owner = -1;

void say(const char *fmt, ...)
{
	char line[320];
	struct buf b = { line, 0, sizeof(line) - 2 };
	int me = (int)this_cpu();
	bool nested = console_owner == me;
	va_list ap;

	put_str(&b, "mcetest: ");
	va_start(ap, fmt);
	vfmt(&b, fmt, ap);
	va_end(ap);
	line[b.len++] = '\r';
	line[b.len++] = '\n';
	while (!nested) {
		int free = -1;
		if (__atomic_compare_exchange_n(&console_owner, &free, me, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			break;
		cpu_relax();
	}
	for (size_t i = 0; i < b.len; i++)
		uart_putc(line[i]);
	if (!nested)
		__atomic_store_n(&console_owner, -1, __ATOMIC_RELEASE);
}
