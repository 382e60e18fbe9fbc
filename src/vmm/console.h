/* The guest's COM1 wired to vmras's stdio: output goes straight to stdout,
 * a reader thread feeds stdin into the UART's receive FIFO (waiting, never
 * dropping, when the guest is slow to read). On a terminal, stdin is put in
 * raw mode and Ctrl-a x quits. */
#ifndef VMRAS_VMM_CONSOLE_H
#define VMRAS_VMM_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>

#include "devices/uart16550.h"

struct console {
	struct uart16550 uart;
	pthread_mutex_t lock;
	pthread_cond_t room;           /* signalled when the guest drains the FIFO */
	int vm_fd;                     /* for KVM_IRQ_LINE; -1 while no VM exists */
	unsigned irq;
	void (*quit)(void *opaque);    /* the user typed the escape sequence */
	void *opaque;
	bool tty;
};

void console_init(struct console *c, unsigned irq, void (*quit)(void *), void *opaque);
/* Raw mode (on a terminal) and the stdin reader. */
int console_start(struct console *c);
void console_restore_terminal(void);
/* A new VM exists: the UART starts from its power-on state on its irqchip. */
void console_attach(struct console *c, int vm_fd);
void console_detach(struct console *c);
/* Port-I/O handler for the UART's eight registers. */
void console_access(void *opaque, uint64_t offset, bool is_write, uint8_t *data, unsigned size);

#endif
