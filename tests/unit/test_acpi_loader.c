/* The table-loader encoder, byte for byte.
 *
 * The expected commands are spelled out from the format QEMU's
 * bios-linker-loader and edk2's QemuLoader.h define (128 bytes: a 32-bit
 * command number, 56-byte names, 32-bit offsets), not from loader.c's own
 * offsets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/loader.h"

static void le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t *finish(struct acpi_loader *l, size_t *len)
{
	uint8_t *buf;
	assert_int_equal(acpi_loader_finish(l, &buf, len), 0);
	assert_int_equal(*len % 128, 0);
	return buf;
}

static int fails(struct acpi_loader *l)
{
	uint8_t *buf = (uint8_t *)1;
	size_t len = 1;
	errno = 0;
	int rc = acpi_loader_finish(l, &buf, &len);
	assert_int_equal(rc, -1);
	assert_null(buf);
	assert_int_equal(len, 0);
	return errno;
}

static void test_commands_bytes(void **state)
{
	(void)state;
	struct acpi_loader l;
	acpi_loader_init(&l);
	acpi_loader_allocate(&l, "etc/acpi/tables", 0x2000, 64, ACPI_LOADER_ZONE_HIGH);
	acpi_loader_allocate(&l, "etc/acpi/rsdp", 36, 16, ACPI_LOADER_ZONE_FSEG);
	acpi_loader_host_file(&l, "etc/hardware_errors_addr", 8);
	acpi_loader_add_pointer(&l, "etc/acpi/rsdp", 24, 8, "etc/acpi/tables");
	acpi_loader_add_checksum(&l, "etc/acpi/tables", 0x40, 0x24, 0x49);
	acpi_loader_write_pointer(&l, "etc/hardware_errors_addr", 0, 8, "etc/acpi/tables", 0x10);
	size_t len;
	uint8_t *buf = finish(&l, &len);
	assert_int_equal(len, 5 * 128);

	uint8_t want[5 * 128];
	memset(want, 0, sizeof(want));
	uint8_t *c = want;
	c[0] = 1;                                   /* ALLOCATE */
	memcpy(c + 4, "etc/acpi/tables", 15);
	le(c + 60, 64, 4);
	c[64] = 1;                                  /* HIGH */
	c += 128;
	c[0] = 1;
	memcpy(c + 4, "etc/acpi/rsdp", 13);
	le(c + 60, 16, 4);
	c[64] = 2;                                  /* FSEG */
	c += 128;
	c[0] = 2;                                   /* ADD_POINTER */
	memcpy(c + 4, "etc/acpi/rsdp", 13);
	memcpy(c + 60, "etc/acpi/tables", 15);
	le(c + 116, 24, 4);
	c[120] = 8;
	c += 128;
	c[0] = 3;                                   /* ADD_CHECKSUM */
	memcpy(c + 4, "etc/acpi/tables", 15);
	le(c + 60, 0x49, 4);                        /* result */
	le(c + 64, 0x40, 4);                        /* start */
	le(c + 68, 0x24, 4);                        /* length */
	c += 128;
	c[0] = 4;                                   /* WRITE_POINTER */
	memcpy(c + 4, "etc/hardware_errors_addr", 24);
	memcpy(c + 60, "etc/acpi/tables", 15);
	le(c + 116, 0, 4);                          /* dst offset */
	le(c + 120, 0x10, 4);                       /* src offset */
	c[124] = 8;
	assert_memory_equal(buf, want, sizeof(want));
	free(buf);
}

static void test_names(void **state)
{
	(void)state;
	char longest[56], too_long[57];
	memset(longest, 'a', 55);
	longest[55] = '\0';
	memset(too_long, 'b', 56);
	too_long[56] = '\0';

	struct acpi_loader l;
	acpi_loader_init(&l);
	acpi_loader_allocate(&l, longest, 8, 1, ACPI_LOADER_ZONE_HIGH);
	acpi_loader_add_pointer(&l, longest, 0, 8, longest);
	size_t len;
	uint8_t *buf = finish(&l, &len);
	assert_int_equal(len, 2 * 128);
	assert_memory_equal(buf + 4, longest, 55);
	assert_int_equal(buf[4 + 55], 0);           /* the NUL the firmware checks */
	assert_memory_equal(buf + 128 + 60, longest, 55);
	assert_int_equal(buf[128 + 60 + 55], 0);
	free(buf);

	acpi_loader_init(&l);
	acpi_loader_allocate(&l, too_long, 8, 1, ACPI_LOADER_ZONE_HIGH);
	assert_int_equal(fails(&l), ENAMETOOLONG);
	acpi_loader_init(&l);
	acpi_loader_allocate(&l, "", 8, 1, ACPI_LOADER_ZONE_HIGH);
	assert_int_equal(fails(&l), EINVAL);
	acpi_loader_init(&l);
	acpi_loader_allocate(&l, NULL, 8, 1, ACPI_LOADER_ZONE_HIGH);
	assert_int_equal(fails(&l), EINVAL);
}

static void test_allocate_invalid(void **state)
{
	(void)state;
	struct acpi_loader l;
	static const uint32_t bad_align[] = { 0, 3, 48, 8192 };
	for (unsigned i = 0; i < sizeof(bad_align) / sizeof(bad_align[0]); i++) {
		acpi_loader_init(&l);
		acpi_loader_allocate(&l, "f", 8, bad_align[i], ACPI_LOADER_ZONE_HIGH);
		assert_int_equal(fails(&l), EINVAL);
	}
	acpi_loader_init(&l);
	acpi_loader_allocate(&l, "f", 8, 4096, ACPI_LOADER_ZONE_HIGH);
	size_t len;
	free(finish(&l, &len));

	acpi_loader_init(&l);
	acpi_loader_allocate(&l, "f", 8, 8, (enum acpi_loader_zone)3);
	assert_int_equal(fails(&l), EINVAL);
	acpi_loader_init(&l);
	acpi_loader_allocate(&l, "f", 0, 8, ACPI_LOADER_ZONE_HIGH);
	assert_int_equal(fails(&l), EINVAL);
	acpi_loader_init(&l);
	acpi_loader_allocate(&l, "f", 1ull << 32, 8, ACPI_LOADER_ZONE_HIGH);
	assert_int_equal(fails(&l), E2BIG);
	acpi_loader_init(&l);
	acpi_loader_allocate(&l, "f", 8, 8, ACPI_LOADER_ZONE_HIGH);
	acpi_loader_host_file(&l, "f", 8);
	assert_int_equal(fails(&l), EEXIST);

	acpi_loader_init(&l);
	char name[8];
	for (unsigned i = 0; i <= ACPI_LOADER_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		acpi_loader_allocate(&l, name, 8, 8, ACPI_LOADER_ZONE_HIGH);
	}
	assert_int_equal(fails(&l), E2BIG);
}

static void test_pointer_invalid(void **state)
{
	(void)state;
	struct acpi_loader l;
#define SETUP() do { acpi_loader_init(&l); \
	acpi_loader_allocate(&l, "a", 16, 8, ACPI_LOADER_ZONE_HIGH); \
	acpi_loader_allocate(&l, "b", 4, 8, ACPI_LOADER_ZONE_HIGH); \
	acpi_loader_host_file(&l, "h", 8); } while (0)

	static const unsigned bad_size[] = { 0, 3, 5, 16 };
	for (unsigned i = 0; i < 4; i++) {
		SETUP();
		acpi_loader_add_pointer(&l, "a", 0, bad_size[i], "b");
		assert_int_equal(fails(&l), EINVAL);
		SETUP();
		acpi_loader_write_pointer(&l, "h", 0, bad_size[i], "a", 0);
		assert_int_equal(fails(&l), EINVAL);
	}
	/* The field must lie inside the pointer's file. */
	SETUP();
	acpi_loader_add_pointer(&l, "a", 8, 8, "b");
	size_t len;
	free(finish(&l, &len));
	SETUP();
	acpi_loader_add_pointer(&l, "a", 9, 8, "b");
	assert_int_equal(fails(&l), EINVAL);
	SETUP();
	acpi_loader_add_pointer(&l, "b", 0, 8, "a");
	assert_int_equal(fails(&l), EINVAL);
	SETUP();
	acpi_loader_add_pointer(&l, "a", UINT64_MAX - 3, 4, "b");
	assert_int_equal(fails(&l), EINVAL);
	/* Unknown files, and a host file where a blob is meant. */
	SETUP();
	acpi_loader_add_pointer(&l, "a", 0, 8, "c");
	assert_int_equal(fails(&l), ENOENT);
	SETUP();
	acpi_loader_add_pointer(&l, "h", 0, 8, "a");
	assert_int_equal(fails(&l), ENOENT);
	SETUP();
	acpi_loader_write_pointer(&l, "a", 0, 8, "b", 0);
	assert_int_equal(fails(&l), ENOENT);
	SETUP();
	acpi_loader_write_pointer(&l, "h", 0, 8, "h", 0);
	assert_int_equal(fails(&l), ENOENT);
	/* WRITE_POINTER's ranges. */
	SETUP();
	acpi_loader_write_pointer(&l, "h", 4, 4, "b", 3);
	free(finish(&l, &len));
	SETUP();
	acpi_loader_write_pointer(&l, "h", 4, 8, "b", 0);
	assert_int_equal(fails(&l), EINVAL);
	SETUP();
	acpi_loader_write_pointer(&l, "h", 0, 8, "b", 4);
	assert_int_equal(fails(&l), EINVAL);
	/* Checksums: a range inside the file holding its result. */
	SETUP();
	acpi_loader_add_checksum(&l, "a", 0, 16, 15);
	free(finish(&l, &len));
	SETUP();
	acpi_loader_add_checksum(&l, "a", 0, 17, 9);
	assert_int_equal(fails(&l), EINVAL);
	SETUP();
	acpi_loader_add_checksum(&l, "a", 4, 0, 4);
	assert_int_equal(fails(&l), EINVAL);
	SETUP();
	acpi_loader_add_checksum(&l, "a", 4, 4, 8);
	assert_int_equal(fails(&l), EINVAL);
	SETUP();
	acpi_loader_add_checksum(&l, "a", 4, 4, 3);
	assert_int_equal(fails(&l), EINVAL);
	SETUP();
	acpi_loader_add_checksum(&l, "x", 0, 4, 0);
	assert_int_equal(fails(&l), ENOENT);
#undef SETUP
}

static void test_sticky_and_limits(void **state)
{
	(void)state;
	struct acpi_loader l;
	acpi_loader_init(&l);
	acpi_loader_add_checksum(&l, "nope", 0, 4, 0);
	/* Later valid calls change nothing; the first errno is kept. */
	acpi_loader_allocate(&l, "a", 16, 8, ACPI_LOADER_ZONE_HIGH);
	acpi_loader_add_pointer(&l, "a", 0, 2, "zz");
	assert_int_equal(l.len, 0);
	assert_int_equal(fails(&l), ENOENT);

	acpi_loader_init(&l);
	acpi_loader_allocate(&l, "a", 16, 8, ACPI_LOADER_ZONE_HIGH);
	for (unsigned i = 1; i < ACPI_LOADER_MAX_CMDS; i++)
		acpi_loader_add_checksum(&l, "a", 0, 16, 9);
	assert_int_equal(l.err, 0);
	assert_int_equal(l.len, ACPI_LOADER_MAX_CMDS * 128);
	acpi_loader_add_checksum(&l, "a", 0, 16, 9);
	assert_int_equal(fails(&l), E2BIG);

	/* An empty script is fine, and sizes are reported. */
	acpi_loader_init(&l);
	acpi_loader_allocate(&l, "a", 16, 8, ACPI_LOADER_ZONE_HIGH);
	acpi_loader_host_file(&l, "h", 8);
	assert_int_equal(acpi_loader_file_size(&l, "a", 1), 16);
	assert_int_equal(acpi_loader_file_size(&l, "h", 0), 8);
	assert_int_equal(acpi_loader_file_size(&l, "h", 1), -1);
	assert_int_equal(acpi_loader_file_size(&l, "x", 0), -1);
	acpi_loader_free(&l);
	acpi_loader_init(&l);
	size_t len;
	uint8_t *buf = finish(&l, &len);
	assert_null(buf);
	assert_int_equal(len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands_bytes),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_allocate_invalid),
		cmocka_unit_test(test_pointer_invalid),
		cmocka_unit_test(test_sticky_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
