/* An ARM PrimeCell PL011 UART (r1p5): enough of it for Linux's AMBA bus to
 * identify it by its ID registers and for the amba-pl011 driver to run it
 * with interrupts as an interactive console (ttyAMA0). Pure state machine,
 * shaped like devices/uart16550.h: the caller serialises access and
 * supplies the byte sink and the interrupt line (a level-triggered SPI).
 *
 * Transmission is instant: the transmit FIFO is always empty and never
 * busy, so a guest that polls UARTFR never waits. Received bytes wait in a
 * 32-entry FIFO; when it is full, pl011_receive refuses the byte and the
 * caller keeps it and waits (nothing typed is lost). */
#ifndef VMRAS_DEVICES_PL011_H
#define VMRAS_DEVICES_PL011_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* r1p5's FIFOs are 32 deep, and its revision (3) is what tells Linux so. */
#define PL011_FIFO_DEPTH 32

/* Register offsets. */
#define PL011_DR      0x000
#define PL011_RSR     0x004   /* read: receive status; write: UARTECR, clear */
#define PL011_FR      0x018
#define PL011_ILPR    0x020
#define PL011_IBRD    0x024
#define PL011_FBRD    0x028
#define PL011_LCR_H   0x02c
#define PL011_CR      0x030
#define PL011_IFLS    0x034
#define PL011_IMSC    0x038
#define PL011_RIS     0x03c
#define PL011_MIS     0x040
#define PL011_ICR     0x044
#define PL011_DMACR   0x048
#define PL011_PERIPH_ID0 0xfe0  /* four registers, then PCellID0-3 at 0xff0 */
#define PL011_PCELL_ID0  0xff0
#define PL011_MMIO_SIZE  0x1000

/* UARTDR's receive error bits (and UARTRSR's, shifted down by 8). */
#define PL011_DR_FE   0x100
#define PL011_DR_PE   0x200
#define PL011_DR_BE   0x400
#define PL011_DR_OE   0x800
#define PL011_RSR_OE  0x08

#define PL011_FR_CTS  0x001
#define PL011_FR_DSR  0x002
#define PL011_FR_DCD  0x004
#define PL011_FR_BUSY 0x008
#define PL011_FR_RXFE 0x010
#define PL011_FR_TXFF 0x020
#define PL011_FR_RXFF 0x040
#define PL011_FR_TXFE 0x080
#define PL011_FR_RI   0x100

#define PL011_LCR_H_FEN 0x10

#define PL011_CR_UARTEN 0x0001
#define PL011_CR_LBE    0x0080
#define PL011_CR_TXE    0x0100
#define PL011_CR_RXE    0x0200
#define PL011_CR_DTR    0x0400
#define PL011_CR_RTS    0x0800
#define PL011_CR_OUT1   0x1000
#define PL011_CR_OUT2   0x2000

/* Interrupt bits, the same in IMSC, RIS, MIS and ICR. */
#define PL011_INT_RI  0x001
#define PL011_INT_CTS 0x002
#define PL011_INT_DCD 0x004
#define PL011_INT_DSR 0x008
#define PL011_INT_RX  0x010
#define PL011_INT_TX  0x020
#define PL011_INT_RT  0x040
#define PL011_INT_FE  0x080
#define PL011_INT_PE  0x100
#define PL011_INT_BE  0x200
#define PL011_INT_OE  0x400
#define PL011_INT_ALL 0x7ff

struct pl011 {
	uint16_t rx[PL011_FIFO_DEPTH];   /* the byte, and error bits 11:8 */
	unsigned rx_head, rx_count;
	bool overrun_pending;            /* the next byte queued carries DR_OE */
	uint8_t rsr;
	uint16_t ris, imsc;
	uint16_t cr, ibrd;
	uint8_t fbrd, lcr_h, ifls, ilpr, dmacr;
	int irq_level;
	void (*tx)(void *opaque, uint8_t byte);
	void (*set_irq)(void *opaque, int level);
	void *opaque;
};

void pl011_init(struct pl011 *u, void (*tx)(void *, uint8_t), void (*set_irq)(void *, int), void *opaque);
/* Power-on state; the interrupt line is lowered. */
void pl011_reset(struct pl011 *u);
/* One guest access, as an MMIO exit gives it: offset inside the 4 KiB
 * window, size 1, 2, 4 or 8, data in little-endian byte order (read: filled
 * in). Registers are 32-bit words: an access that is not word-aligned or
 * lies outside the registers reads zero and writes nothing, a narrower one
 * reads the low bytes and writes the register zero-extended, a wider one
 * reads zero above bit 31. Other sizes are ignored. */
void pl011_access(struct pl011 *u, uint64_t offset, bool is_write, uint8_t *data, unsigned size);
/* Bytes the receive FIFO can take now: 0 or 1 while the guest has its
 * FIFO disabled (a one-character holding register). */
size_t pl011_rx_room(const struct pl011 *u);
/* Queues a byte from the outside world; false when there is no room (the
 * caller keeps the byte and retries once the guest has read). */
bool pl011_receive(struct pl011 *u, uint8_t byte);

struct dt_writer;
struct aml;
/* The UART as an ACPI guest finds it: Linux's amba-pl011 ACPI binding
 * (ARMH0011), its registers at base and its interrupt (an INTID, level). */
void pl011_aml(struct aml *a, const char *name, uint64_t base, uint64_t size, uint32_t intid);
/* The device's DT node: base, size, its SPI, the phandle of its clock. */
void pl011_dt(struct dt_writer *w, const char *node, uint64_t base, uint64_t size, uint32_t spi, uint32_t clock);

#endif
