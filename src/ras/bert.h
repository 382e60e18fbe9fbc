/* The Boot Error Region an ACPI BERT points at (ACPI 6.x §18.3.1): errors
 * of a previous boot, told to the guest once as it starts. vmras puts
 * there the pages it found poisoned in a guest RAM backing that outlived
 * the last vmras (a file), as CPER memory-error sections. Pure.
 *
 * The region is a run of Generic Error Status Blocks; the guest reads them
 * one after the other until a block status of 0 or the region's end. Linux
 * (drivers/acpi/apei/bert.c) prints a block only when it is shorter than
 * 1024 bytes, and at most 5 blocks, and counts the rest ("Skipped N error
 * records", "Total records found: N"). So vmras puts at most
 * BERT_SECTIONS_PER_BLOCK sections in a block (20 + 6 * 152 = 932 bytes):
 * with one big block a seventh page would hide every one of them. */
#ifndef VMRAS_RAS_BERT_H
#define VMRAS_RAS_BERT_H

#include <stddef.h>
#include <sys/types.h>

#include "ras/cper.h"

#define BERT_SECTIONS_PER_BLOCK 6
/* The longest block a Linux guest prints (its ACPI_BERT_PRINT_MAX_LEN is
 * this plus one). */
#define BERT_PRINTABLE_BLOCK_MAX 1023

/* Bytes a region holding n errors takes. */
size_t bert_region_len(size_t n);

/* Writes e[0..n) into buf[0..len) as blocks of up to
 * BERT_SECTIONS_PER_BLOCK sections, in order, as many as fit whole;
 * *taken says how many that was (the rest: the caller says so). Returns
 * the bytes written (0 when n is 0 or not even one fits), or -1 with errno
 * EINVAL (an invalid error: see cper_encode_mem_errors), nothing written. */
ssize_t bert_region_encode(void *buf, size_t len, const struct cper_mem_error *e, size_t n,
			   size_t *taken);

#endif
