#include "vmm/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_DUMP_ACPI = 256, OPT_EVENT_LOG, OPT_EARLY_KILL, OPT_CPU_VENDOR, OPT_ON_PANIC, OPT_MACHINE, OPT_QMP, OPT_PAUSED, OPT_RAS, OPT_FIRMWARE, OPT_MEMORY_BACKEND, OPT_DISK, OPT_NET };

static const struct option long_options[] = {
	{ "kernel",    required_argument, NULL, 'k' },
	{ "initrd",    required_argument, NULL, 'i' },
	{ "append",    required_argument, NULL, 'a' },
	{ "memory",    required_argument, NULL, 'm' },
	{ "cpus",      required_argument, NULL, 'c' },
	{ "dump-acpi", required_argument, NULL, OPT_DUMP_ACPI },
	{ "event-log", required_argument, NULL, OPT_EVENT_LOG },
	{ "early-kill", required_argument, NULL, OPT_EARLY_KILL },
	{ "cpu-vendor", required_argument, NULL, OPT_CPU_VENDOR },
	{ "on-panic",  required_argument, NULL, OPT_ON_PANIC },
	{ "machine",   required_argument, NULL, OPT_MACHINE },
	{ "qmp",       required_argument, NULL, OPT_QMP },
	{ "paused",    no_argument,       NULL, OPT_PAUSED },
	{ "ras",       required_argument, NULL, OPT_RAS },
	{ "firmware",  required_argument, NULL, OPT_FIRMWARE },
	{ "memory-backend", required_argument, NULL, OPT_MEMORY_BACKEND },
	{ "disk",      required_argument, NULL, OPT_DISK },
	{ "net",       required_argument, NULL, OPT_NET },
	{ "help",      no_argument,       NULL, 'h' },
	{ "version",   no_argument,       NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

const char *cli_ras_name(enum ras_mode mode)
{
	switch (mode) {
	case RAS_MODE_MCE: return "mce";
	case RAS_MODE_GHES: return "ghes";
	case RAS_MODE_BOTH: return "both";
	}
	return NULL;
}

int cli_parse_disk(const char *text, struct cli_disk *d, char *err, size_t errlen)
{
	size_t n = 0;
	const char *p = text;

	memset(d, 0, sizeof(*d));
	for (; *p; p++) {
		if (*p == ',' && p[1] == ',') {
			p++;
		} else if (*p == ',') {
			break;
		}
		if (n + 1 >= sizeof(d->path))
			return cli_fail(err, errlen, "invalid --disk: the path is longer than %zu bytes",
					sizeof(d->path) - 1);
		d->path[n++] = *p;
	}
	if (!n)
		return cli_fail(err, errlen, "invalid --disk '%s': expected PATH[,readonly]", text);
	while (*p == ',') {
		const char *opt = ++p;
		size_t len = strcspn(opt, ",");

		if (len == 8 && !strncmp(opt, "readonly", 8))
			d->readonly = true;
		else
			return cli_fail(err, errlen, "invalid --disk '%s': unknown option '%.*s' (expected readonly)",
					text, (int)len, opt);
		p = opt + len;
	}
	return 0;
}

int cli_parse_net(const char *text, struct cli_net *n, char *err, size_t errlen)
{
	const char *name = text + 4;
	size_t len;

	memset(n, 0, sizeof(*n));
	if (strncmp(text, "tap:", 4) || !*name)
		return cli_fail(err, errlen, "invalid --net '%s': expected tap:IFNAME", text);
	len = strlen(name);
	if (len > CLI_IFNAME_MAX)
		return cli_fail(err, errlen, "invalid --net '%s': an interface name has at most %d characters",
				text, CLI_IFNAME_MAX);
	/* What the kernel refuses in an interface name (dev_valid_name). */
	if (!strcmp(name, ".") || !strcmp(name, "..") || strpbrk(name, "/: \t\n"))
		return cli_fail(err, errlen, "invalid --net '%s': not a valid interface name", text);
	memcpy(n->ifname, name, len);
	return 0;
}

void cli_usage(FILE *out)
{
	fputs("Usage: vmras --kernel KERNEL [options]\n"
	      "       vmras --firmware FIRMWARE [options]   (arm64)\n"
	      "       vmras --machine none --qmp unix:PATH\n"
	      "       vmras --dump-acpi DIR [options]\n"
	      "\n"
	      "A KVM virtual machine monitor that survives and reports hardware memory failures.\n"
	      "\n"
	      "Options:\n"
	      "  -k, --kernel KERNEL    Linux kernel to boot: an x86-64 bzImage (64-bit boot\n"
	      "                         protocol) or an uncompressed arm64 Image\n"
	      "  -i, --initrd FILE      initial ramdisk\n"
	      "      --firmware PATH|none\n"
	      "                         arm64: boot through UEFI firmware (edk2's QEMU_EFI.fd for\n"
	      "                         QEMU's virt board) from the flash at address 0, variables\n"
	      "                         blank at every start; the guest gets ACPI, which it needs\n"
	      "                         to be told of memory errors. Default: Debian's\n"
	      "                         /usr/share/qemu-efi-aarch64/QEMU_EFI.fd where installed;\n"
	      "                         none boots --kernel directly with a device tree.\n"
	      "                         x86 has no firmware option\n"
	      "  -a, --append CMDLINE   kernel command line\n"
	      "  -m, --memory SIZE      guest RAM: bytes with suffix K, M, G or T; a bare number\n"
	      "                         is MiB (default 512M, at least 16M)\n"
	      "      --memory-backend memfd|hugetlb|hugetlb:2M|hugetlb:1G|file:PATH\n"
	      "                         host memory behind guest RAM: memfds of 4 KiB pages\n"
	      "                         (default); memfds of 2 MiB (hugetlb, hugetlb:2M) or\n"
	      "                         1 GiB hugepages from the host's pool, reserved at\n"
	      "                         start; or one file on tmpfs, hugetlbfs or a DAX\n"
	      "                         filesystem, mapped shared so its contents and poison\n"
	      "                         outlive vmras (created and sized if missing or empty,\n"
	      "                         else it must be exactly --memory bytes). --memory must\n"
	      "                         be a multiple of the backing's page\n"
	      "  -c, --cpus N           virtual CPUs, 1-255 (default 1)\n"
	      "      --disk PATH[,readonly]\n"
	      "                         a raw disk image the guest sees as a virtio block device\n"
	      "                         (/dev/vda, vdb, ... in the order given; up to 8);\n"
	      "                         readonly: the guest may only read it. A comma in PATH\n"
	      "                         is written twice\n"
	      "      --net tap:IFNAME   a TAP interface the guest sees as a virtio network\n"
	      "                         device (eth0, eth1, ... in the order given; up to 4);\n"
	      "                         created if missing, configured by the host as any\n"
	      "                         interface (ip link set IFNAME up, a bridge, ...)\n"
	      "      --cpu-vendor host|intel|amd\n"
	      "                         CPU vendor the guest sees (default host); Linux takes\n"
	      "                         different machine-check paths on each\n"
	      "      --event-log PATH   append every event (MEMORY_FAILURE, ...) to PATH as JSON\n"
	      "                         Lines, each written before its action is taken\n"
	      "      --early-kill on|off\n"
	      "                         have the host kernel report poison it finds before the\n"
	      "                         guest touches it (BUS_MCEERR_AO; default on)\n"
	      "      --ras mce|ghes|both\n"
	      "                         how the guest is told of a memory error: machine checks,\n"
	      "                         APEI firmware-first records (ACPI HEST/GHESv2, CPER), or\n"
	      "                         both (default: a guest with a GHES driver gets the decoded\n"
	      "                         record at once, one without still gets machine checks)\n"
	      "      --on-panic pause|poweroff|run\n"
	      "                         what to do when the guest reports a panic (pvpanic):\n"
	      "                         hold its vCPUs, power off (exit 0), or let it run;\n"
	      "                         default poweroff, as QEMU does by default\n"
	      "      --machine pc|none  pc (default) runs the guest; none runs no guest and needs\n"
	      "                         no /dev/kvm: it serves the monitor until quit or a signal\n"
	      "      --qmp unix:PATH|tcp:[HOST]:PORT\n"
	      "                         serve QMP, QEMU's monitor protocol, on a Unix socket\n"
	      "                         (created 0600) or on TCP (HOST defaults to 127.0.0.1);\n"
	      "                         repeatable\n"
	      "      --paused           start with the vCPUs stopped (run state prelaunch) until\n"
	      "                         QMP cont, as QEMU's -S\n"
	      "      --dump-acpi DIR    write the ACPI tables the guest would see to DIR/SIG.dat\n"
	      "                         and exit (inspect them with iasl -d)\n"
	      "  -h, --help             show this help and exit\n"
	      "  -V, --version          show the version and exit\n"
	      "\n"
	      "The guest's first serial port is vmras's standard input and output. On a terminal,\n"
	      "Ctrl-a x quits and Ctrl-a Ctrl-a sends Ctrl-a.\n"
	      "Exit status: 0 guest powered off, 1 VM failure (including memory failure in\n"
	      "vmras's own memory), 2 bad usage.\n",
	      out);
}

int cli_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* The message quotes the user's words; keep it one printable line. */
	for (char *c = err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -1;
}

int cli_parse_size(const char *text, uint64_t *bytes)
{
	char *end;
	uint64_t value, shift = 20;

	/* strtoull would skip blanks and take a sign; a size starts with a digit. */
	if (!text || *text < '0' || *text > '9')
		return -1;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno || end == text)
		return -1;
	if (*end) {
		switch (*end) {
		case 'b': case 'B': shift = 0; break;
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': shift = 40; break;
		default: return -1;
		}
		/* Allow "2G", "2GB" and "2GiB"; nothing else may follow. */
		if (end[1] && (!shift || (strcmp(end + 1, "B") && strcmp(end + 1, "iB"))))
			return -1;
	}
	if (shift && value > (UINT64_MAX >> shift))
		return -1;
	*bytes = value << shift;
	return 0;
}

static int parse_cpus(const char *text, unsigned *cpus)
{
	char *end;
	unsigned long v;

	if (!text || *text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || v < 1 || v > CLI_MAX_CPUS)
		return -1;
	*cpus = (unsigned)v;
	return 0;
}

int cli_parse_qmp(const char *text, struct cli_qmp *q, char *err, size_t errlen)
{
	/* sockaddr_un's sun_path, NUL included. */
	const size_t path_max = 108;

	memset(q, 0, sizeof(*q));
	if (!strncmp(text, "unix:", 5)) {
		q->kind = CLI_QMP_UNIX;
		q->path = text + 5;
		if (!*q->path)
			return cli_fail(err, errlen, "invalid --qmp '%s': the socket path is empty", text);
		if (strlen(q->path) >= path_max)
			return cli_fail(err, errlen, "--qmp socket path is %zu bytes; a socket path holds at most %zu",
				    strlen(q->path), path_max - 1);
		return 0;
	}
	if (!strncmp(text, "tcp:", 4)) {
		const char *host = text + 4, *colon = strrchr(host, ':');
		size_t hlen;
		char *end;
		unsigned long port;

		if (!colon)
			return cli_fail(err, errlen, "invalid --qmp '%s': expected tcp:[HOST]:PORT", text);
		hlen = (size_t)(colon - host);
		if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
			host++;
			hlen -= 2;
		} else if (memchr(host, ':', hlen)) {
			return cli_fail(err, errlen, "invalid --qmp '%s': write an IPv6 address in brackets", text);
		}
		if (hlen >= sizeof(q->host))
			return cli_fail(err, errlen, "invalid --qmp '%s': the host name is too long", text);
		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (colon[1] < '0' || colon[1] > '9' || *end || errno || port < 1 || port > 65535)
			return cli_fail(err, errlen, "invalid --qmp '%s': the port must be a number from 1 to 65535", text);
		q->kind = CLI_QMP_TCP;
		if (hlen)
			memcpy(q->host, host, hlen);
		else
			strcpy(q->host, CLI_QMP_DEFAULT_HOST);
		q->port = (uint16_t)port;
		return 0;
	}
	return cli_fail(err, errlen, "invalid --qmp '%s': expected unix:PATH or tcp:[HOST]:PORT", text);
}

int cli_parse(int argc, char *const argv[], struct vmras_options *o, char *err, size_t errlen)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->memory = CLI_DEFAULT_MEMORY;
	o->memory_backend = (struct ram_backend){ .kind = RAM_BACKEND_MEMFD, .page_shift = RAM_PAGE_SHIFT_4K };
	o->cpus = 1;
	o->early_kill = true;
	o->ras = RAS_MODE_DEFAULT;
	o->cpu_vendor = "host";
	o->on_panic = GUEST_PANIC_DEFAULT;
	/* getopt keeps global state; restart it so the parser can run more than once. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:i:a:m:c:hV", long_options, NULL)) != -1) {
		switch (c) {
		case 'k': o->kernel = optarg; break;
		case 'i': o->initrd = optarg; break;
		case 'a': o->append = optarg; break;
		case OPT_DUMP_ACPI: o->dump_acpi = optarg; break;
		case OPT_FIRMWARE:
			if (!*optarg)
				return cli_fail(err, errlen, "invalid --firmware '': expected a file or none");
			o->firmware = strcmp(optarg, "none") ? optarg : NULL;
			o->firmware_set = true;
			break;
		case OPT_EVENT_LOG: o->event_log = optarg; break;
		case OPT_CPU_VENDOR:
			if (strcmp(optarg, "host") && strcmp(optarg, "intel") && strcmp(optarg, "amd"))
				return cli_fail(err, errlen, "invalid --cpu-vendor '%s': expected host, intel or amd", optarg);
			o->cpu_vendor = optarg;
			break;
		case OPT_ON_PANIC:
			if (guest_panic_action_parse(optarg, &o->on_panic))
				return cli_fail(err, errlen, "invalid --on-panic '%s': expected pause, poweroff or run", optarg);
			break;
		case OPT_MACHINE:
			if (!strcmp(optarg, "none"))
				o->machine_none = true;
			else if (!strcmp(optarg, "pc"))
				o->machine_none = false;
			else
				return cli_fail(err, errlen, "invalid --machine '%s': expected pc or none", optarg);
			break;
		case OPT_PAUSED: o->paused = true; break;
		case OPT_MEMORY_BACKEND:
			if (ram_backend_parse(optarg, &o->memory_backend, err, errlen))
				return -1;
			break;
		case OPT_RAS:
			if (!strcmp(optarg, "mce"))
				o->ras = RAS_MODE_MCE;
			else if (!strcmp(optarg, "ghes"))
				o->ras = RAS_MODE_GHES;
			else if (!strcmp(optarg, "both"))
				o->ras = RAS_MODE_BOTH;
			else
				return cli_fail(err, errlen, "invalid --ras '%s': expected mce, ghes or both", optarg);
			break;
		case OPT_DISK:
			if (o->ndisks == CLI_MAX_DISKS)
				return cli_fail(err, errlen, "--disk is given more than %d times", CLI_MAX_DISKS);
			if (cli_parse_disk(optarg, &o->disk[o->ndisks], err, errlen))
				return -1;
			o->ndisks++;
			break;
		case OPT_NET:
			if (o->nnets == CLI_MAX_NETS)
				return cli_fail(err, errlen, "--net is given more than %d times", CLI_MAX_NETS);
			if (cli_parse_net(optarg, &o->net[o->nnets], err, errlen))
				return -1;
			for (unsigned i = 0; i < o->nnets; i++)
				if (!strcmp(o->net[i].ifname, o->net[o->nnets].ifname))
					return cli_fail(err, errlen, "--net tap:%s is given twice", o->net[i].ifname);
			o->nnets++;
			break;
		case OPT_QMP:
			if (o->nqmp == CLI_MAX_QMP)
				return cli_fail(err, errlen, "--qmp is given more than %d times", CLI_MAX_QMP);
			if (cli_parse_qmp(optarg, &o->qmp[o->nqmp], err, errlen))
				return -1;
			o->nqmp++;
			break;
		case OPT_EARLY_KILL:
			if (!strcmp(optarg, "on"))
				o->early_kill = true;
			else if (!strcmp(optarg, "off"))
				o->early_kill = false;
			else
				return cli_fail(err, errlen, "invalid --early-kill '%s': expected on or off", optarg);
			break;
		case 'h': o->help = true; break;
		case 'V': o->version = true; break;
		case 'm':
			if (cli_parse_size(optarg, &o->memory))
				return cli_fail(err, errlen, "invalid --memory '%s': expected a size such as 512M or 2G", optarg);
			if (o->memory < CLI_MIN_MEMORY || o->memory > CLI_MAX_MEMORY)
				return cli_fail(err, errlen, "--memory %s is out of range (16M to 1T)", optarg);
			if (o->memory & 0xfff)
				return cli_fail(err, errlen, "--memory %s is not a multiple of 4K", optarg);
			break;
		case 'c':
			if (parse_cpus(optarg, &o->cpus))
				return cli_fail(err, errlen, "invalid --cpus '%s': expected a number from 1 to %d", optarg, CLI_MAX_CPUS);
			break;
		case ':':
			return cli_fail(err, errlen, "option '%s' needs an argument", argv[optind - 1]);
		default:
			/* glibc sets optopt for a long option given an argument it does not take. */
			if (!strncmp(argv[optind - 1], "--", 2) && strchr(argv[optind - 1], '=') && optopt)
				return cli_fail(err, errlen, "option '%.*s' takes no argument (see --help)",
					    (int)(strchr(argv[optind - 1], '=') - argv[optind - 1]), argv[optind - 1]);
			if (!strncmp(argv[optind - 1], "--", 2))
				return cli_fail(err, errlen, "unknown option '%s' (see --help)", argv[optind - 1]);
			if (optopt)
				return cli_fail(err, errlen, "unknown option '-%c' (see --help)", optopt);
			return cli_fail(err, errlen, "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_fail(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
	if (o->help || o->version)
		return 0;
	if (o->machine_none && (o->kernel || o->initrd || o->append || o->dump_acpi || o->firmware_set))
		return cli_fail(err, errlen, "--machine none runs no guest: --kernel, --initrd, --append, --firmware and --dump-acpi do not apply");
	/* Firmware without a kernel stops in its boot manager: still a guest. */
	if (!o->kernel && !o->firmware && !o->dump_acpi && !o->machine_none)
		return cli_fail(err, errlen, "--kernel is required (see --help)");
	if (!o->kernel && (o->initrd || o->append))
		return cli_fail(err, errlen, "--initrd and --append need --kernel");
	/* A hugepage size is known now; a file's only once it is opened. */
	if (o->memory_backend.kind == RAM_BACKEND_HUGETLB) {
		const struct guest_ram whole = { .total = o->memory };
		char what[16];

		if (ram_backend_check_layout(&whole, o->memory_backend.page_shift,
					     ram_backend_name(&o->memory_backend, what, sizeof(what)), err, errlen))
			return -1;
	}
	if (o->append && strlen(o->append) >= 2048)
		return cli_fail(err, errlen, "--append is %zu bytes; the kernel command line holds at most 2047", strlen(o->append));
	return 0;
}
