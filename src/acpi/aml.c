#include "acpi/aml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Opcodes and prefixes from the AML grammar (ACPI 6.x, section 20). */
enum {
	AML_ZERO = 0x00,
	AML_ONE = 0x01,
	AML_NAME_OP = 0x08,
	AML_BYTE_PREFIX = 0x0a,
	AML_WORD_PREFIX = 0x0b,
	AML_DWORD_PREFIX = 0x0c,
	AML_STRING_PREFIX = 0x0d,
	AML_QWORD_PREFIX = 0x0e,
	AML_SCOPE_OP = 0x10,
	AML_BUFFER_OP = 0x11,
	AML_PACKAGE_OP = 0x12,
	AML_METHOD_OP = 0x14,
	AML_AND_OP = 0x7b,
	AML_NOTIFY_OP = 0x86,
	AML_STORE_OP = 0x70,
	AML_LOCAL0_OP = 0x60,
	AML_IF_OP = 0xa0,
	AML_DUAL_NAME_PREFIX = 0x2e,
	AML_MULTI_NAME_PREFIX = 0x2f,
	AML_EXT_PREFIX = 0x5b,
	AML_OPREGION_OP = 0x80,    /* after AML_EXT_PREFIX */
	AML_FIELD_OP = 0x81,       /* after AML_EXT_PREFIX */
	AML_DEVICE_OP = 0x82,      /* after AML_EXT_PREFIX */
	AML_ROOT_CHAR = '\\',
	AML_PARENT_CHAR = '^',
};

/* Resource descriptor tags (ACPI 6.x, section 6.4). */
enum {
	RES_IRQ_NOFLAGS = 0x22,    /* small item 0x4, two bytes of body */
	RES_IO = 0x47,             /* small item 0x8, seven bytes */
	RES_END_TAG = 0x79,        /* small item 0xf, one byte: the checksum */
	RES_MEMORY32_FIXED = 0x86,
	RES_EXT_INTERRUPT = 0x89,
};

enum frame_kind { FRAME_TERMS, FRAME_PACKAGE, FRAME_BUFFER, FRAME_RESTEMPLATE, FRAME_FIELD };

void aml_init(struct aml *a)
{
	memset(a, 0, sizeof(*a));
}

void aml_free(struct aml *a)
{
	free(a->buf);
	aml_init(a);
}

static void fail(struct aml *a, int err)
{
	if (!a->err)
		a->err = err;
}

static int reserve(struct aml *a, size_t n)
{
	if (a->err)
		return -1;
	if (n > AML_PKGLENGTH_MAX || a->len > AML_PKGLENGTH_MAX - n) {
		fail(a, E2BIG);
		return -1;
	}
	if (a->len + n <= a->cap)
		return 0;
	size_t cap = a->cap ? a->cap : 256;
	while (cap < a->len + n)
		cap *= 2;
	uint8_t *p = realloc(a->buf, cap);
	if (!p) {
		fail(a, ENOMEM);
		return -1;
	}
	a->buf = p;
	a->cap = cap;
	return 0;
}

void aml_bytes(struct aml *a, const void *data, size_t n)
{
	if (!n || reserve(a, n))
		return;
	memcpy(a->buf + a->len, data, n);
	a->len += n;
}

static void put8(struct aml *a, uint8_t v)
{
	aml_bytes(a, &v, 1);
}

static void put_le(struct aml *a, uint64_t v, unsigned n)
{
	uint8_t b[8];
	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	aml_bytes(a, b, n);
}

static void insert(struct aml *a, size_t at, const uint8_t *data, size_t n)
{
	if (reserve(a, n))
		return;
	memmove(a->buf + at + n, a->buf + at, a->len - at);
	memcpy(a->buf + at, data, n);
	a->len += n;
}

/* A data object just started: count it if it is a package element. */
static void note_element(struct aml *a)
{
	if (a->depth && a->stack[a->depth - 1].kind == FRAME_PACKAGE)
		a->stack[a->depth - 1].count++;
}

size_t aml_pkglength_encode(uint8_t out[4], size_t payload)
{
	/* One byte holds 6 bits; with n bytes the lead byte keeps 4 bits and
	 * each following byte adds 8, and the value includes those n bytes. */
	if (payload < 0x3f) {
		out[0] = (uint8_t)(payload + 1);
		return 1;
	}
	for (size_t n = 2; n <= 4; n++) {
		size_t limit = ((size_t)1 << (4 + 8 * (n - 1))) - 1;
		if (payload > limit - n)
			continue;
		size_t v = payload + n;
		out[0] = (uint8_t)(((n - 1) << 6) | (v & 0x0f));
		for (size_t i = 1; i < n; i++)
			out[i] = (uint8_t)(v >> (4 + 8 * (i - 1)));
		return n;
	}
	return 0;
}

static int name_char(char c, int lead)
{
	return (c >= 'A' && c <= 'Z') || c == '_' || (!lead && c >= '0' && c <= '9');
}

/* Validates and counts the segments of a name path; -1 if malformed. */
static int name_segments(const char *p)
{
	int n = 0;
	if (!*p)
		return 0;
	for (;;) {
		size_t i = 0;
		while (i < 4 && name_char(p[i], i == 0))
			i++;
		if (i == 0 || (p[i] && p[i] != '.'))
			return -1;
		n++;
		if (!p[i])
			return n;
		p += i + 1;
	}
}

static void put_namestring(struct aml *a, const char *name)
{
	if (a->err)
		return;
	if (!name) {
		fail(a, EINVAL);
		return;
	}
	const char *p = name;
	int root = *p == AML_ROOT_CHAR;
	if (root)
		p++;
	else
		while (*p == AML_PARENT_CHAR)
			p++;
	int segs = name_segments(p);
	/* A bare prefix with no segment is only meaningful for the root. */
	if (segs < 0 || segs > 255 || (segs == 0 && !root)) {
		fail(a, EINVAL);
		return;
	}
	aml_bytes(a, name, (size_t)(p - name));
	if (segs == 0) {
		put8(a, AML_ZERO);  /* NullName */
		return;
	}
	if (segs == 2) {
		put8(a, AML_DUAL_NAME_PREFIX);
	} else if (segs > 2) {
		put8(a, AML_MULTI_NAME_PREFIX);
		put8(a, (uint8_t)segs);
	}
	for (int s = 0; s < segs; s++) {
		char seg[4] = { '_', '_', '_', '_' };
		size_t i = 0;
		while (*p && *p != '.')
			seg[i++] = *p++;
		if (*p == '.')
			p++;
		aml_bytes(a, seg, 4);
	}
}

static void open_frame(struct aml *a, enum frame_kind kind)
{
	if (a->err)
		return;
	if (a->depth == AML_MAX_DEPTH) {
		fail(a, EINVAL);
		return;
	}
	a->stack[a->depth++] = (struct aml_frame){ .start = a->len, .kind = kind };
}

void aml_scope_begin(struct aml *a, const char *name)
{
	put8(a, AML_SCOPE_OP);
	open_frame(a, FRAME_TERMS);
	put_namestring(a, name);
}

void aml_device_begin(struct aml *a, const char *name)
{
	put8(a, AML_EXT_PREFIX);
	put8(a, AML_DEVICE_OP);
	open_frame(a, FRAME_TERMS);
	put_namestring(a, name);
}

void aml_method_begin(struct aml *a, const char *name, unsigned nargs, int serialized)
{
	if (nargs > 7) {
		fail(a, EINVAL);
		return;
	}
	put8(a, AML_METHOD_OP);
	open_frame(a, FRAME_TERMS);
	put_namestring(a, name);
	put8(a, (uint8_t)(nargs | (serialized ? 0x08 : 0)));
}

void aml_package_begin(struct aml *a)
{
	note_element(a);
	put8(a, AML_PACKAGE_OP);
	open_frame(a, FRAME_PACKAGE);
}

void aml_buffer_begin(struct aml *a)
{
	note_element(a);
	put8(a, AML_BUFFER_OP);
	open_frame(a, FRAME_BUFFER);
}

void aml_restemplate_begin(struct aml *a)
{
	note_element(a);
	put8(a, AML_BUFFER_OP);
	open_frame(a, FRAME_RESTEMPLATE);
}

/* Integer encoding without touching the package element count, for the
 * BufferSize operand that aml_end() inserts. */
static size_t encode_integer(uint8_t out[9], uint64_t v)
{
	if (v == 0 || v == 1) {
		out[0] = v ? AML_ONE : AML_ZERO;
		return 1;
	}
	unsigned n;
	if (v <= 0xff) {
		out[0] = AML_BYTE_PREFIX;
		n = 1;
	} else if (v <= 0xffff) {
		out[0] = AML_WORD_PREFIX;
		n = 2;
	} else if (v <= 0xffffffff) {
		out[0] = AML_DWORD_PREFIX;
		n = 4;
	} else {
		out[0] = AML_QWORD_PREFIX;
		n = 8;
	}
	for (unsigned i = 0; i < n; i++)
		out[1 + i] = (uint8_t)(v >> (8 * i));
	return 1 + n;
}

static void in_restemplate(struct aml *a)
{
	if (!a->depth || a->stack[a->depth - 1].kind != FRAME_RESTEMPLATE)
		fail(a, EINVAL);
}

void aml_end(struct aml *a)
{
	if (a->err)
		return;
	if (!a->depth) {
		fail(a, EINVAL);
		return;
	}
	struct aml_frame *f = &a->stack[a->depth - 1];
	uint8_t prefix[4 + 9];
	size_t n = 0;

	if (f->kind == FRAME_RESTEMPLATE) {
		/* The EndTag checksum makes the descriptors sum to zero. */
		put8(a, RES_END_TAG);
		if (a->err)
			return;
		uint8_t sum = 0;
		for (size_t i = f->start; i < a->len; i++)
			sum = (uint8_t)(sum + a->buf[i]);
		put8(a, (uint8_t)-sum);
	}
	if (f->kind == FRAME_PACKAGE && f->count > 255) {
		fail(a, E2BIG);  /* would need VarPackageOp */
		return;
	}

	uint8_t inner[9];
	size_t ninner = 0;
	if (f->kind == FRAME_PACKAGE)
		inner[ninner++] = (uint8_t)f->count;
	else if (f->kind == FRAME_BUFFER || f->kind == FRAME_RESTEMPLATE)
		ninner = encode_integer(inner, a->len - f->start);

	n = aml_pkglength_encode(prefix, a->len - f->start + ninner);
	if (!n) {
		fail(a, E2BIG);
		return;
	}
	memcpy(prefix + n, inner, ninner);
	insert(a, f->start, prefix, n + ninner);
	if (!a->err)
		a->depth--;
}

int aml_finish(struct aml *a)
{
	if (!a->err && a->depth)
		a->err = EINVAL;
	if (a->err) {
		errno = a->err;
		return -1;
	}
	return 0;
}

void aml_name(struct aml *a, const char *name)
{
	put8(a, AML_NAME_OP);
	put_namestring(a, name);
}

void aml_name_ref(struct aml *a, const char *name)
{
	note_element(a);
	put_namestring(a, name);
}

void aml_integer(struct aml *a, uint64_t v)
{
	uint8_t b[9];
	size_t n = encode_integer(b, v);
	note_element(a);
	aml_bytes(a, b, n);
}

void aml_string(struct aml *a, const char *s)
{
	if (!s) {
		fail(a, EINVAL);
		return;
	}
	/* AML strings are 7-bit ASCII without embedded NULs. */
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p > 0x7f) {
			fail(a, EINVAL);
			return;
		}
	note_element(a);
	put8(a, AML_STRING_PREFIX);
	aml_bytes(a, s, strlen(s) + 1);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int aml_eisaid_value(const char *id, uint32_t *out)
{
	if (!id || strlen(id) != 7)
		goto bad;
	uint32_t v = 0;
	for (int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			goto bad;
		v = (v << 5) | (uint32_t)(id[i] - 0x40);
	}
	for (int i = 3; i < 7; i++) {
		int d = hex_digit(id[i]);
		if (d < 0)
			goto bad;
		v = (v << 4) | (uint32_t)d;
	}
	/* The id reads as a big-endian number but AML stores integers
	 * little-endian, so the compressed form is byte-swapped. */
	*out = ((v >> 24) & 0xff) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v;
	if (aml_eisaid_value(id, &v)) {
		fail(a, EINVAL);
		return;
	}
	/* Always a DWord, as ASL's EISAID() yields, so tools recognise it. */
	note_element(a);
	put8(a, AML_DWORD_PREFIX);
	put_le(a, v, 4);
}

void aml_buffer(struct aml *a, const void *data, size_t n)
{
	aml_buffer_begin(a);
	aml_bytes(a, data, n);
	aml_end(a);
}

void aml_operation_region(struct aml *a, const char *name, uint8_t space, uint64_t offset,
			  uint64_t len)
{
	uint8_t b[9];

	put8(a, AML_EXT_PREFIX);
	put8(a, AML_OPREGION_OP);
	put_namestring(a, name);
	put8(a, space);
	aml_bytes(a, b, encode_integer(b, offset));
	aml_bytes(a, b, encode_integer(b, len));
}

void aml_field_begin(struct aml *a, const char *region, uint8_t flags)
{
	/* Bit 7 of FieldFlags is reserved and must be zero. */
	if (flags & 0x80) {
		fail(a, EINVAL);
		return;
	}
	put8(a, AML_EXT_PREFIX);
	put8(a, AML_FIELD_OP);
	open_frame(a, FRAME_FIELD);
	put_namestring(a, region);
	put8(a, flags);
}

void aml_field_named(struct aml *a, const char *name, unsigned bits)
{
	uint8_t len[4];
	size_t n;

	if (a->err)
		return;
	/* A NamedField is one bare NameSeg and its width as a PkgLength whose
	 * value is the bit count itself (not a byte length that counts itself). */
	if (!a->depth || a->stack[a->depth - 1].kind != FRAME_FIELD || !name ||
	    name_segments(name) != 1 || !bits || bits > AML_PKGLENGTH_MAX) {
		fail(a, EINVAL);
		return;
	}
	if (bits < 0x40) {
		len[0] = (uint8_t)bits;
		n = 1;
	} else {
		for (n = 2; n < 4 && bits >> (4 + 8 * (n - 1)); n++)
			;
		len[0] = (uint8_t)(((n - 1) << 6) | (bits & 0x0f));
		for (size_t i = 1; i < n; i++)
			len[i] = (uint8_t)(bits >> (4 + 8 * (i - 1)));
	}
	put_namestring(a, name);
	aml_bytes(a, len, n);
}

void aml_if_begin(struct aml *a)
{
	put8(a, AML_IF_OP);
	open_frame(a, FRAME_TERMS);
}

void aml_and(struct aml *a)
{
	put8(a, AML_AND_OP);
}

void aml_null_target(struct aml *a)
{
	put8(a, AML_ZERO);  /* NullName: the result goes nowhere */
}

void aml_store(struct aml *a)
{
	put8(a, AML_STORE_OP);
}

void aml_local(struct aml *a, unsigned n)
{
	if (n > 7) {
		fail(a, EINVAL);
		return;
	}
	put8(a, (uint8_t)(AML_LOCAL0_OP + n));
}

void aml_notify(struct aml *a)
{
	put8(a, AML_NOTIFY_OP);
}

void aml_res_io(struct aml *a, int decode16, uint16_t min, uint16_t max,
		uint8_t align, uint8_t len)
{
	in_restemplate(a);
	put8(a, RES_IO);
	put8(a, decode16 ? 1 : 0);
	put_le(a, min, 2);
	put_le(a, max, 2);
	put8(a, align);
	put8(a, len);
}

void aml_res_irq_noflags(struct aml *a, uint16_t irq_mask)
{
	in_restemplate(a);
	put8(a, RES_IRQ_NOFLAGS);
	put_le(a, irq_mask, 2);
}

void aml_res_interrupt(struct aml *a, int edge, int active_low, int shared,
		       uint32_t gsi)
{
	in_restemplate(a);
	put8(a, RES_EXT_INTERRUPT);
	put_le(a, 6, 2);  /* flags, count and one DWORD; no resource source */
	put8(a, (uint8_t)(0x01 /* consumer */ | (edge ? 0x02 : 0) |
			  (active_low ? 0x04 : 0) | (shared ? 0x08 : 0)));
	put8(a, 1);
	put_le(a, gsi, 4);
}

void aml_res_memory32_fixed(struct aml *a, int writable, uint32_t base,
			    uint32_t len)
{
	in_restemplate(a);
	put8(a, RES_MEMORY32_FIXED);
	put_le(a, 9, 2);
	put8(a, writable ? 1 : 0);
	put_le(a, base, 4);
	put_le(a, len, 4);
}
