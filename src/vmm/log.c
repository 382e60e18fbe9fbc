#include "vmm/log.h"

#include <stdarg.h>
#include <stdio.h>

static void emit(const char *kind, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	/* One fprintf per line, so lines from different threads never interleave.
	 * "\r\n" because stdout may share a terminal in raw mode with the guest. */
	fprintf(stderr, "\rvmras: %s%s\r\n", kind, line);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("error: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}
