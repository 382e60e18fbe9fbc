/* A 16550A UART: enough of the chip for Linux's 8250 driver to identify it,
 * drive it with interrupts and use it as an interactive console. Pure state
 * machine; the caller serialises access and supplies the byte sink and the
 * interrupt line. */
#ifndef VMRAS_DEVICES_UART16550_H
#define VMRAS_DEVICES_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_RX_FIFO 64

/* Register offsets and bits used by the emulation and its tests. */
#define UART_RBR 0
#define UART_THR 0
#define UART_IER 1
#define UART_IIR 2
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI  0x01
#define UART_IER_THRI 0x02
#define UART_IER_RLSI 0x04
#define UART_IER_MSI  0x08
#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI  0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI  0x04
#define UART_IIR_RLSI 0x06
#define UART_IIR_FIFO 0xc0
#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_LCR_DLAB 0x80
#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10
#define UART_LSR_DR   0x01
#define UART_LSR_OE   0x02
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_MSR_CTS  0x10
#define UART_MSR_DSR  0x20
#define UART_MSR_RI   0x40
#define UART_MSR_DCD  0x80

struct uart16550 {
	uint8_t ier, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	bool thr_interrupt;        /* THR-empty interrupt waiting to be seen */
	uint8_t rx[UART_RX_FIFO];
	unsigned rx_head, rx_count;
	int irq_level;
	void (*tx)(void *opaque, uint8_t byte);
	void (*set_irq)(void *opaque, int level);
	void *opaque;
};

void uart_init(struct uart16550 *u, void (*tx)(void *, uint8_t), void (*set_irq)(void *, int), void *opaque);
/* Power-on state; the interrupt line is lowered. */
void uart_reset(struct uart16550 *u);
void uart_access(struct uart16550 *u, uint16_t offset, bool is_write, uint8_t *value);
/* Bytes the receive FIFO can still take. */
size_t uart_rx_room(const struct uart16550 *u);
/* Queues a byte from the outside world; false when the FIFO is full. */
bool uart_receive(struct uart16550 *u, uint8_t byte);

struct aml;
/* The device's ACPI node (PNP0501): its 8 ports and ISA IRQ. */
void uart16550_aml(struct aml *a, const char *name, uint16_t port, unsigned irq);

#endif
