/* Command-line options of vmras. Parsing is pure so every error path is unit-tested. */
#ifndef VMRAS_VMM_CLI_H
#define VMRAS_VMM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ras/guest_panic.h"
#include "vmm/ram_backend.h"

#define CLI_DEFAULT_MEMORY (512ULL << 20)
#define CLI_MIN_MEMORY     (16ULL << 20)
#define CLI_MAX_MEMORY     (1ULL << 40)
#define CLI_MAX_CPUS       255
#define CLI_MAX_QMP        8
#define CLI_QMP_DEFAULT_HOST "127.0.0.1"
#define CLI_MAX_DISKS      8
#define CLI_MAX_NETS       4
#define CLI_IFNAME_MAX     15   /* IFNAMSIZ less its terminating NUL */

/* One --disk: a raw image the guest sees as a virtio block device
 * (virtio-blk0, 1, ... in the order given). */
struct cli_disk {
	char path[4096];
	bool readonly;
};

/* One --net: a TAP interface the guest sees as a virtio network device
 * (virtio-net0, 1, ... in the order given). */
struct cli_net {
	char ifname[CLI_IFNAME_MAX + 1];
};

/* One --qmp listener. */
struct cli_qmp {
	enum { CLI_QMP_UNIX, CLI_QMP_TCP } kind;
	const char *path;          /* unix: the socket's path */
	char host[256];            /* tcp: IP address (or localhost) to listen on, brackets removed */
	uint16_t port;             /* tcp */
};

/* How an x86 guest is told of a memory error (--ras): bits, so "both" is
 * both. */
enum ras_mode {
	RAS_MODE_MCE = 1,          /* machine checks (MCi banks, #MC) */
	RAS_MODE_GHES = 2,         /* APEI: CPER records in GHESv2 error status blocks */
	RAS_MODE_BOTH = RAS_MODE_MCE | RAS_MODE_GHES,
};
#define RAS_MODE_DEFAULT RAS_MODE_BOTH

struct vmras_options {
	const char *kernel;
	const char *initrd;
	const char *append;
	/* --firmware: the image for the arm64 flash, NULL for none (a direct
	 * kernel boot); the x86 machine refuses it (arch_kernel_init). */
	const char *firmware;
	bool firmware_set;         /* --firmware given (none included): no arch default */
	const char *dump_acpi;     /* write the ACPI tables to this directory and exit */
	const char *event_log;     /* JSON Lines event log */
	bool early_kill;           /* ask for BUS_MCEERR_AO when poison is found early (default on) */
	enum ras_mode ras;         /* --ras mce|ghes|both (default both) */
	const char *cpu_vendor;    /* "host" (default), "intel" or "amd" */
	enum guest_panic_action on_panic; /* after a pvpanic GUEST_PANICKED (default poweroff, as QEMU) */
	bool paused;               /* --paused: prelaunch until QMP cont */
	bool machine_none;         /* --machine none: no guest and no KVM; serve the monitor until quit */
	struct cli_qmp qmp[CLI_MAX_QMP];
	unsigned nqmp;
	uint64_t memory;           /* bytes */
	struct ram_backend memory_backend; /* --memory-backend (default memfd) */
	unsigned cpus;
	struct cli_disk disk[CLI_MAX_DISKS];
	unsigned ndisks;
	struct cli_net net[CLI_MAX_NETS];
	unsigned nnets;
	bool help;
	bool version;
};

/* Returns 0 on success; on error returns -1 and writes one line (no newline) to err. */
/* Writes a usage error into err (the user's words made one printable line)
 * and returns -1: the parsers' common way out. */
int cli_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int cli_parse(int argc, char *const argv[], struct vmras_options *opts, char *err, size_t errlen);

/* "512", "512M", "2G", "1048576K": a bare number is MiB, as with QEMU's -m. */
int cli_parse_size(const char *text, uint64_t *bytes);

/* "unix:PATH" or "tcp:[HOST]:PORT" (HOST empty: 127.0.0.1; an IPv6 address in
 * brackets). Returns 0, or -1 with one line in err. */
int cli_parse_qmp(const char *text, struct cli_qmp *q, char *err, size_t errlen);

/* "PATH" or "PATH,readonly" (a path that itself holds a comma is written
 * with the comma doubled, as QEMU's option syntax). Returns 0, or -1 with
 * one line in err. */
int cli_parse_disk(const char *text, struct cli_disk *d, char *err, size_t errlen);

/* "tap:IFNAME". Returns 0, or -1 with one line in err. */
int cli_parse_net(const char *text, struct cli_net *n, char *err, size_t errlen);

void cli_usage(FILE *out);

/* "mce", "ghes", "both"; NULL for another value. */
const char *cli_ras_name(enum ras_mode mode);

#endif
