#include "vmm/console.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "kvm/kvm.h"

#define ESCAPE_CHAR 0x01   /* Ctrl-a */

/* The terminal state to put back at exit; one terminal per process. */
static struct termios saved_termios;
static bool termios_saved;

void console_restore_terminal(void)
{
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
}

void console_tx(void *console, uint8_t byte)
{
	(void)console;
	/* A closed stdout must not stop the guest; its output is simply lost. */
	while (write(STDOUT_FILENO, &byte, 1) < 0 && errno == EINTR)
		;
}

void console_set_irq(void *console, int level)
{
	struct console *c = console;

	if (c->vm_fd >= 0)
		kvm_vm_irq_line(c->vm_fd, c->irq, level);
}

void console_init(struct console *c, void (*quit)(void *), void *opaque)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->room, NULL);
	c->vm_fd = -1;
	c->quit = quit;
	c->opaque = opaque;
}

void console_set_uart(struct console *c, const struct console_uart *uart, unsigned irq)
{
	c->uart = *uart;
	c->irq = irq;
}

void console_attach(struct console *c, int vm_fd)
{
	pthread_mutex_lock(&c->lock);
	c->vm_fd = vm_fd;
	c->uart.reset(c->uart.dev);
	pthread_cond_broadcast(&c->room);
	pthread_mutex_unlock(&c->lock);
}

void console_detach(struct console *c)
{
	pthread_mutex_lock(&c->lock);
	c->vm_fd = -1;
	pthread_mutex_unlock(&c->lock);
}

void console_access(void *opaque, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	struct console *c = opaque;

	pthread_mutex_lock(&c->lock);
	c->uart.access(c->uart.dev, offset, is_write, data, size);
	/* Any read may have taken a byte from the receive FIFO. */
	if (!is_write)
		pthread_cond_broadcast(&c->room);
	pthread_mutex_unlock(&c->lock);
}

static void feed(struct console *c, uint8_t byte)
{
	pthread_mutex_lock(&c->lock);
	while (c->vm_fd < 0 || !c->uart.receive(c->uart.dev, byte))
		pthread_cond_wait(&c->room, &c->lock);
	pthread_mutex_unlock(&c->lock);
}

static void *reader(void *arg)
{
	struct console *c = arg;
	bool escape = false;
	uint8_t buf[256];
	ssize_t n;

	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;    /* end of input: the guest just stops receiving */
		for (ssize_t i = 0; i < n; i++) {
			if (c->tty && escape) {
				escape = false;
				if (buf[i] == 'x' || buf[i] == 'X') {
					c->quit(c->opaque);
					return NULL;
				}
				if (buf[i] != ESCAPE_CHAR)
					feed(c, ESCAPE_CHAR);
			} else if (c->tty && buf[i] == ESCAPE_CHAR) {
				escape = true;
				continue;
			}
			feed(c, buf[i]);
		}
	}
}

int console_start(struct console *c)
{
	pthread_t thread;
	sigset_t all, old;
	int err;

	c->tty = isatty(STDIN_FILENO);
	if (c->tty && tcgetattr(STDIN_FILENO, &saved_termios) == 0) {
		struct termios raw = saved_termios;

		termios_saved = true;
		atexit(console_restore_terminal);
		/* Keystrokes go to the guest untouched (Ctrl-c included); output
		 * post-processing stays on so vmras's own lines stay readable. */
		raw.c_iflag &= (tcflag_t)~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
		raw.c_lflag &= (tcflag_t)~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	/* The reader takes no signals; vCPU threads and the main thread do. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&thread, NULL, reader, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		errno = err;
		return -1;
	}
	pthread_detach(thread);
	return 0;
}
