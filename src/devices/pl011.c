#include "devices/pl011.h"

#include <string.h>

#include "devices/primecell.h"
#include "devices/dt.h"
#include "acpi/aml.h"

/* PeriphID: part 0x011, designer ARM (0x41), revision 3 (r1p5). */
static const uint8_t periph_id[4] = { 0x11, 0x10, 0x34, 0x00 };

static unsigned capacity(const struct pl011 *u)
{
	return (u->lcr_h & PL011_LCR_H_FEN) ? PL011_FIFO_DEPTH : 1;
}

/* UARTIFLS's receive level: 1/8, 1/4, 1/2, 3/4 or 7/8 full (the reserved
 * encodings taken as the last). Without the FIFO, one character. */
static unsigned rx_trigger(const struct pl011 *u)
{
	static const unsigned eighths[5] = { 1, 2, 4, 6, 7 };
	unsigned sel = (u->ifls >> 3) & 7;

	if (!(u->lcr_h & PL011_LCR_H_FEN))
		return 1;
	return PL011_FIFO_DEPTH * eighths[sel > 4 ? 4 : sel] / 8;
}

static void update_irq(struct pl011 *u)
{
	int level = (u->ris & u->imsc) != 0;

	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->set_irq)
			u->set_irq(u->opaque, level);
	}
}

/* The modem inputs. No modem is attached, but a terminal is: carrier, DSR
 * and CTS are up, so a guest that honours them (CLOCAL off, CTSEn) still
 * talks. Loopback wires the modem outputs back to the inputs. */
static uint16_t modem_lines(const struct pl011 *u)
{
	uint16_t fr = 0;

	if (!(u->cr & PL011_CR_LBE))
		return PL011_FR_CTS | PL011_FR_DSR | PL011_FR_DCD;
	if (u->cr & PL011_CR_RTS) fr |= PL011_FR_CTS;
	if (u->cr & PL011_CR_DTR) fr |= PL011_FR_DSR;
	if (u->cr & PL011_CR_OUT1) fr |= PL011_FR_DCD;
	if (u->cr & PL011_CR_OUT2) fr |= PL011_FR_RI;
	return fr;
}

/* A change on a modem input raises its interrupt, on either edge. */
static void modem_changed(struct pl011 *u, uint16_t before, uint16_t after)
{
	uint16_t changed = before ^ after;

	if (changed & PL011_FR_CTS) u->ris |= PL011_INT_CTS;
	if (changed & PL011_FR_DSR) u->ris |= PL011_INT_DSR;
	if (changed & PL011_FR_DCD) u->ris |= PL011_INT_DCD;
	if (changed & PL011_FR_RI) u->ris |= PL011_INT_RI;
}

static void rx_push(struct pl011 *u, uint8_t byte)
{
	uint16_t entry = byte;

	if (u->rx_count >= capacity(u)) {
		u->rsr |= PL011_RSR_OE;
		u->ris |= PL011_INT_OE;
		u->overrun_pending = true;
		return;
	}
	if (u->overrun_pending) {
		entry |= PL011_DR_OE;
		u->overrun_pending = false;
	}
	u->rx[(u->rx_head + u->rx_count) % PL011_FIFO_DEPTH] = entry;
	u->rx_count++;
	/* The chip raises RX as the level crosses the trigger; raising it on
	 * every byte at or above the level also re-raises one a guest cleared
	 * through UARTICR without reading, where the chip would stay silent
	 * with a FIFO full of input. */
	if (u->rx_count >= rx_trigger(u))
		u->ris |= PL011_INT_RX;
	/* The receive timeout fires once the line has been idle for 32 bit
	 * times with data waiting. The line to this UART is idle the moment
	 * a byte has arrived, so vmras raises it at once: a guest waiting for
	 * less than its trigger level never waits for input it already has. */
	u->ris |= PL011_INT_RT;
}

static uint16_t rx_pop(struct pl011 *u)
{
	uint16_t entry;

	if (!u->rx_count)
		return 0;
	entry = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % PL011_FIFO_DEPTH;
	u->rx_count--;
	if (u->rx_count < rx_trigger(u))
		u->ris &= (uint16_t)~PL011_INT_RX;
	if (!u->rx_count)
		u->ris &= (uint16_t)~PL011_INT_RT;
	/* UARTRSR reports the errors of the character just read, and keeps
	 * an overrun until UARTECR is written. */
	u->rsr = (uint8_t)((u->rsr & PL011_RSR_OE) | ((entry >> 8) & 0x7));
	return entry;
}

void pl011_init(struct pl011 *u, void (*tx)(void *, uint8_t), void (*set_irq)(void *, int), void *opaque)
{
	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->set_irq = set_irq;
	u->opaque = opaque;
	pl011_reset(u);
}

void pl011_reset(struct pl011 *u)
{
	u->rx_head = u->rx_count = 0;
	u->overrun_pending = false;
	u->rsr = 0;
	u->ris = u->imsc = 0;
	u->cr = PL011_CR_TXE | PL011_CR_RXE;
	u->ibrd = 0;
	u->fbrd = u->lcr_h = u->ilpr = u->dmacr = 0;
	u->ifls = 0x12;                   /* both trigger levels at 1/2 */
	u->irq_level = 1;                 /* forces the line low below */
	update_irq(u);
}

/* Sent whatever UARTEN and TXE say: a kernel's earlycon writes UARTDR
 * before any driver enabled the UART (firmware would have), and output the
 * guest meant to show must not vanish. Sending empties the FIFO at once,
 * which is the transmit interrupt's condition. */
static void transmit(struct pl011 *u, uint8_t byte)
{
	if (u->cr & PL011_CR_LBE)
		rx_push(u, byte);
	else if (u->tx)
		u->tx(u->opaque, byte);
	u->ris |= PL011_INT_TX;
}

static void write_reg(struct pl011 *u, uint64_t off, uint32_t v)
{
	uint16_t before;

	switch (off) {
	case PL011_DR:
		transmit(u, (uint8_t)v);
		break;
	case PL011_RSR:
		u->rsr = 0;
		break;
	case PL011_ILPR:
		u->ilpr = (uint8_t)v;
		break;
	case PL011_IBRD:
		u->ibrd = (uint16_t)v;
		break;
	case PL011_FBRD:
		u->fbrd = v & 0x3f;
		break;
	case PL011_LCR_H:
		/* The FIFO is not flushed when it is switched off: what it
		 * holds was typed by someone and drains through UARTDR. */
		u->lcr_h = (uint8_t)v;
		break;
	case PL011_CR:
		before = modem_lines(u);
		u->cr = v & 0xff87;       /* bits 6:3 are reserved */
		modem_changed(u, before, modem_lines(u));
		break;
	case PL011_IFLS:
		u->ifls = v & 0x3f;
		break;
	case PL011_IMSC:
		u->imsc = v & PL011_INT_ALL;
		break;
	case PL011_ICR:
		u->ris &= (uint16_t)~(v & PL011_INT_ALL);
		break;
	case PL011_DMACR:
		u->dmacr = v & 0x7;       /* no DMA controller answers: ignored */
		break;
	}
}

static uint32_t read_reg(struct pl011 *u, uint64_t off)
{
	uint32_t v;

	switch (off) {
	case PL011_DR:
		return rx_pop(u);
	case PL011_RSR:
		return u->rsr;
	case PL011_FR:
		return modem_lines(u) | PL011_FR_TXFE |
		       (u->rx_count ? 0 : PL011_FR_RXFE) |
		       (u->rx_count >= capacity(u) ? PL011_FR_RXFF : 0);
	case PL011_ILPR:
		return u->ilpr;
	case PL011_IBRD:
		return u->ibrd;
	case PL011_FBRD:
		return u->fbrd;
	case PL011_LCR_H:
		return u->lcr_h;
	case PL011_CR:
		return u->cr;
	case PL011_IFLS:
		return u->ifls;
	case PL011_IMSC:
		return u->imsc;
	case PL011_RIS:
		return u->ris;
	case PL011_MIS:
		return u->ris & u->imsc;
	case PL011_DMACR:
		return u->dmacr;
	}
	if (primecell_id(off, periph_id, &v))
		return v;
	return 0;                         /* ICR, reserved and test registers */
}

void pl011_access(struct pl011 *u, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	uint64_t v = 0;
	bool valid = offset % 4 == 0 && offset < PL011_MMIO_SIZE;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return;
	if (is_write) {
		for (unsigned i = 0; i < size && i < 4; i++)
			v |= (uint64_t)data[i] << (8 * i);
		if (valid)
			write_reg(u, offset, (uint32_t)v);
	} else {
		if (valid)
			v = read_reg(u, offset);
		for (unsigned i = 0; i < size; i++)
			data[i] = (uint8_t)(v >> (8 * i));
	}
	update_irq(u);
}

size_t pl011_rx_room(const struct pl011 *u)
{
	unsigned cap = capacity(u);

	return u->rx_count >= cap ? 0 : cap - u->rx_count;
}

bool pl011_receive(struct pl011 *u, uint8_t byte)
{
	/* While looped back the receiver hears only the transmitter. */
	if (!pl011_rx_room(u) || (u->cr & PL011_CR_LBE))
		return false;
	rx_push(u, byte);
	update_irq(u);
	return true;
}

/* The AMBA bus binds PrimeCells by the peripheral ID it reads from the
 * device once its "apb_pclk" runs; the PL011 driver takes its baud clock
 * as the first clock. */
void pl011_dt(struct dt_writer *w, const char *node, uint64_t base, uint64_t size, uint32_t spi, uint32_t clock)
{
	uint32_t irq[3] = { DT_GIC_SPI, spi, DT_IRQ_LEVEL_HIGH };
	uint32_t clocks[2] = { clock, clock };

	dt_begin(w, node);
	dt_prop_strs(w, "compatible", "arm,pl011", "arm,primecell");
	dt_prop_reg2(w, base, size, 0, 0, 1);
	dt_prop_cells(w, "interrupts", irq, 3);
	dt_prop_cells(w, "clocks", clocks, 2);
	dt_prop_strs(w, "clock-names", "uartclk", "apb_pclk");
	dt_end(w);
}

void pl011_aml(struct aml *a, const char *name, uint64_t base, uint64_t size, uint32_t intid)
{
	aml_device_begin(a, name);
	aml_name(a, "_HID");
	aml_string(a, "ARMH0011");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_memory32_fixed(a, 1, (uint32_t)base, (uint32_t)size);
	/* Level-triggered, active-high: how the GIC sees a UART's line. */
	aml_res_interrupt(a, 0, 0, 0, intid);
	aml_end(a);
	aml_end(a);
}
