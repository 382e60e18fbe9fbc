/* A small AML (ACPI Machine Language) encoder for DSDT/SSDT bodies.
 *
 * Calls append to a growable byte buffer. Errors are sticky: after the first
 * one every call does nothing and aml_finish() reports it, so a table can be
 * written as straight-line code with a single check at the end.
 *
 * Objects whose length prefix depends on their contents (Scope, Device,
 * Method, Package, Buffer) are opened with *_begin and closed with aml_end();
 * the PkgLength (and element count or buffer size) is inserted on close, so
 * nesting works for bodies of any size. */
#ifndef VMRAS_ACPI_AML_H
#define VMRAS_ACPI_AML_H

#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 16
/* The largest value a 4-byte PkgLength can hold. */
#define AML_PKGLENGTH_MAX 0x0fffffffu

struct aml_frame {
	size_t start;              /* first byte after the opcode */
	unsigned kind;
	unsigned count;            /* elements so far, for packages */
};

struct aml {
	uint8_t *buf;
	size_t len, cap;
	int err;                   /* first errno hit, or 0 */
	struct aml_frame stack[AML_MAX_DEPTH];
	unsigned depth;
};

void aml_init(struct aml *a);
void aml_free(struct aml *a);
/* 0 when every object was closed and no call failed; else -1 with errno
 * (EINVAL for a bad name, id or nesting, ENOMEM, E2BIG past PkgLength). */
int aml_finish(struct aml *a);

/* Writes the PkgLength for a body of `payload` bytes following it; the
 * encoded value counts the PkgLength's own 1-4 bytes. Returns the number of
 * bytes written, or 0 when no encoding can hold it. */
size_t aml_pkglength_encode(uint8_t out[4], size_t payload);

/* Compressed EISA id ("PNP0501") as the 32-bit value AML stores. Returns 0,
 * or -1 with errno EINVAL when id is not three capitals and four hex digits. */
int aml_eisaid_value(const char *id, uint32_t *out);

/* Names follow ASL: "\\_SB.COM1", "^PCI0", "_S5" (short segments are padded
 * with '_'), "\\" alone for the root. */
void aml_scope_begin(struct aml *a, const char *name);
void aml_device_begin(struct aml *a, const char *name);
void aml_method_begin(struct aml *a, const char *name, unsigned nargs, int serialized);
void aml_package_begin(struct aml *a);
void aml_buffer_begin(struct aml *a);
/* A Buffer holding resource descriptors; aml_end() appends the EndTag. */
void aml_restemplate_begin(struct aml *a);
void aml_end(struct aml *a);

/* Name(name, <the next object emitted>) */
void aml_name(struct aml *a, const char *name);
/* A reference to a named object, as a package element or operand. */
void aml_name_ref(struct aml *a, const char *name);
void aml_integer(struct aml *a, uint64_t v);
void aml_string(struct aml *a, const char *s);
void aml_eisaid(struct aml *a, const char *id);
void aml_bytes(struct aml *a, const void *data, size_t n);
void aml_buffer(struct aml *a, const void *data, size_t n);

/* OperationRegion(name, space, offset, len). */
#define AML_REGION_SYSTEM_MEMORY 0x00
#define AML_REGION_SYSTEM_IO 0x01
void aml_operation_region(struct aml *a, const char *name, uint8_t space, uint64_t offset,
			  uint64_t len);
/* Field(region, flags) { ... }: aml_field_begin, one aml_field_named per
 * field (in order, from bit 0 of the region), aml_end. flags is the
 * FieldFlags byte: access type | lock rule | update rule. */
#define AML_FIELD_BYTE_ACC 0x01
#define AML_FIELD_NO_LOCK 0x00
#define AML_FIELD_PRESERVE 0x00
void aml_field_begin(struct aml *a, const char *region, uint8_t flags);
void aml_field_named(struct aml *a, const char *name, unsigned bits);

/* Statements and operators, in AML's prefix order: each call writes the
 * opcode, and the operands are the objects emitted next (aml_name_ref,
 * aml_integer, another operator).
 * If (<predicate>) { <terms> }: aml_if_begin, the predicate, the terms, aml_end. */
void aml_if_begin(struct aml *a);
/* And(<operand>, <operand>, <target>): two operands, then aml_null_target()
 * when only the value is wanted. */
void aml_and(struct aml *a);
void aml_null_target(struct aml *a);
/* Store(<source>, <target>): the source, then the target (aml_local). */
void aml_store(struct aml *a);
/* LocalN, 0-7: a method's scratch variable. */
void aml_local(struct aml *a, unsigned n);
/* Notify(<object>, <value>) */
void aml_notify(struct aml *a);

/* Resource descriptors, only inside aml_restemplate_begin(). */
void aml_res_io(struct aml *a, int decode16, uint16_t min, uint16_t max,
		uint8_t align, uint8_t len);
void aml_res_irq_noflags(struct aml *a, uint16_t irq_mask);
/* Extended Interrupt(ResourceConsumer, ...) with one GSI. */
void aml_res_interrupt(struct aml *a, int edge, int active_low, int shared,
		       uint32_t gsi);
void aml_res_memory32_fixed(struct aml *a, int writable, uint32_t base,
			    uint32_t len);

#endif
