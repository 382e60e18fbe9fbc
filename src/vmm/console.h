/* The guest's console UART wired to vmras's stdio: output goes straight to
 * stdout, a reader thread feeds stdin into the UART's receive FIFO (waiting,
 * never dropping, when the guest is slow to read). On a terminal, stdin is
 * put in raw mode and Ctrl-a x quits. Which UART it is (x86's 16550, arm64's
 * PL011) is the arch's choice: the console drives it through struct
 * console_uart, and the arch builds the model with console_tx and
 * console_set_irq as its callbacks, the console as their opaque. */
#ifndef VMRAS_VMM_CONSOLE_H
#define VMRAS_VMM_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>

#include <stdint.h>

/* A UART model, serialised by the console's lock. */
struct console_uart {
	void *dev;
	void (*reset)(void *dev);
	bool (*receive)(void *dev, uint8_t byte);   /* false: the FIFO is full */
	void (*access)(void *dev, uint64_t offset, bool is_write, uint8_t *data, unsigned size);
};

struct console {
	struct console_uart uart;
	pthread_mutex_t lock;
	pthread_cond_t room;           /* signalled when the guest drains the FIFO */
	int vm_fd;                     /* for KVM_IRQ_LINE; -1 while no VM exists */
	unsigned irq;                  /* KVM_IRQ_LINE's irq, in the arch's encoding */
	void (*quit)(void *opaque);    /* the user typed the escape sequence */
	void *opaque;
	bool tty;
};

void console_init(struct console *c, void (*quit)(void *), void *opaque);
/* The arch's UART and its interrupt, before console_start. */
void console_set_uart(struct console *c, const struct console_uart *uart, unsigned irq);
/* The UART model's callbacks: a byte the guest sent, its interrupt level. */
void console_tx(void *console, uint8_t byte);
void console_set_irq(void *console, int level);
/* Raw mode (on a terminal) and the stdin reader. */
int console_start(struct console *c);
void console_restore_terminal(void);
/* A new VM exists: the UART starts from its power-on state on its irqchip. */
void console_attach(struct console *c, int vm_fd);
void console_detach(struct console *c);
/* The bus handler for the UART's registers (opaque: the console). */
void console_access(void *opaque, uint64_t offset, bool is_write, uint8_t *data, unsigned size);

#endif
