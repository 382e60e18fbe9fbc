#include "devices/uart16550.h"
#include "acpi/aml.h"

#include <string.h>

static uint8_t pending_iir(const struct uart16550 *u)
{
	/* Highest priority first, as the chip reports them. */
	if ((u->ier & UART_IER_RLSI) && (u->lsr & UART_LSR_OE))
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx_count)
		return UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thr_interrupt)
		return UART_IIR_THRI;
	return UART_IIR_NO_INT;
}

static void update_irq(struct uart16550 *u)
{
	int level = pending_iir(u) != UART_IIR_NO_INT;

	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->set_irq)
			u->set_irq(u->opaque, level);
	}
}

static uint8_t modem_status(const struct uart16550 *u)
{
	uint8_t msr = 0;

	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;  /* a terminal is always attached */
	/* Loopback wires the modem-control outputs back to the status inputs;
	 * Linux's probe checks exactly this. */
	if (u->mcr & UART_MCR_RTS) msr |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR) msr |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1) msr |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2) msr |= UART_MSR_DCD;
	return msr;
}

static void rx_push(struct uart16550 *u, uint8_t byte)
{
	if (u->rx_count == UART_RX_FIFO) {
		u->lsr |= UART_LSR_OE;
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_RX_FIFO] = byte;
	u->rx_count++;
}

void uart_init(struct uart16550 *u, void (*tx)(void *, uint8_t), void (*set_irq)(void *, int), void *opaque)
{
	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->set_irq = set_irq;
	u->opaque = opaque;
	uart_reset(u);
}

void uart_reset(struct uart16550 *u)
{
	u->ier = u->lcr = u->mcr = u->scr = u->fcr = u->dlm = 0;
	u->dll = 12;               /* 9600 baud, the chip's power-on divisor */
	u->lsr = UART_LSR_THRE | UART_LSR_TEMT;
	u->thr_interrupt = false;
	u->rx_head = u->rx_count = 0;
	u->irq_level = 1;          /* forces the line low below */
	update_irq(u);
}

static void write_reg(struct uart16550 *u, uint16_t off, uint8_t v)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (off) {
	case UART_THR:
		if (dlab) {
			u->dll = v;
			break;
		}
		if (u->mcr & UART_MCR_LOOP)
			rx_push(u, v);
		else if (u->tx)
			u->tx(u->opaque, v);
		/* Transmission is instant, so the holding register is empty again at once. */
		u->thr_interrupt = true;
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		/* Enabling THRI while the holding register is empty raises it at once. */
		if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thr_interrupt = true;
		u->ier = v & 0x0f;
		break;
	case UART_FCR:
		if (v & UART_FCR_CLEAR_RX) {
			u->rx_head = u->rx_count = 0;
			u->lsr &= (uint8_t)~UART_LSR_DR;
		}
		u->fcr = v & (UART_FCR_ENABLE | 0xc0);
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & 0x1f;
		break;
	case UART_LSR:
	case UART_MSR:
		break;             /* read-only */
	case UART_SCR:
		u->scr = v;
		break;
	}
}

static uint8_t read_reg(struct uart16550 *u, uint16_t off)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (off) {
	case UART_RBR:
		if (dlab)
			return u->dll;
		if (!u->rx_count)
			return 0;
		v = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_RX_FIFO;
		u->rx_count--;
		return v;
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = pending_iir(u);
		/* Reading IIR acknowledges a THR-empty interrupt it reports. */
		if (v == UART_IIR_THRI)
			u->thr_interrupt = false;
		return v | ((u->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = u->lsr | (u->rx_count ? UART_LSR_DR : 0);
		u->lsr &= (uint8_t)~UART_LSR_OE;  /* overrun is cleared by reading LSR */
		return v;
	case UART_MSR:
		return modem_status(u);
	default:
		return u->scr;
	}
}

void uart_access(struct uart16550 *u, uint16_t offset, bool is_write, uint8_t *value)
{
	if (is_write)
		write_reg(u, offset & 7, *value);
	else
		*value = read_reg(u, offset & 7);
	update_irq(u);
}

size_t uart_rx_room(const struct uart16550 *u)
{
	return UART_RX_FIFO - u->rx_count;
}

bool uart_receive(struct uart16550 *u, uint8_t byte)
{
	/* While looped back the chip is deaf to the line. */
	if (u->rx_count == UART_RX_FIFO || (u->mcr & UART_MCR_LOOP))
		return false;
	rx_push(u, byte);
	update_irq(u);
	return true;
}

void uart16550_aml(struct aml *a, const char *name, uint16_t port, unsigned irq)
{
	aml_device_begin(a, name);
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0501");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_io(a, 1, port, port, 0, 8);
	aml_res_irq_noflags(a, (uint16_t)(1u << irq));
	aml_end(a);
	aml_end(a);
}
