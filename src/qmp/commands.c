/* vmras's QMP commands: the table and the handlers. A command is served only
 * once it does what QEMU's does; none is listed ahead of its implementation,
 * so query-commands tells a client exactly what works. */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "qmp/inject.h"
#include "qmp/schema.h"
#include "qmp/session.h"
#include "ras/cper.h"

static const char *const qmp_capability_values[] = { "oob", NULL };

static const struct qmp_member qmp_capabilities_args[] = {
	{ .name = "enable", .type = QMP_T_ENUM, .optional = true, .array = true,
	  .type_name = "QMPCapability", .values = qmp_capability_values,
	  .doc = "capabilities to enable; vmras offers none, so any is refused" },
	{ 0 },
};

static struct json_object *do_qmp_capabilities(struct qmp_session *s, struct json_object *args,
					       struct qmp_error *err)
{
	struct json_object *enable = NULL;
	size_t n;

	if (qmp_session_command_mode(s)) {
		qmp_error_set(err, QMP_ERR_COMMAND_NOT_FOUND,
			      "Capabilities negotiation is already complete, command ignored");
		return NULL;
	}
	if (args && json_object_object_get_ex(args, "enable", &enable) &&
	    (n = json_object_array_length(enable)) > 0) {
		/* QEMU names every capability asked for that it did not offer. */
		size_t len = 1;
		char *list;

		for (size_t i = 0; i < n; i++)
			len += strlen(json_object_get_string(json_object_array_get_idx(enable, i))) + 2;
		list = calloc(1, len);
		if (!list)
			return NULL;
		for (size_t i = 0; i < n; i++) {
			if (i)
				strcat(list, ", ");
			strcat(list, json_object_get_string(json_object_array_get_idx(enable, i)));
		}
		qmp_error_set(err, QMP_ERR_GENERIC, "Capability %s not available", list);
		free(list);
		return NULL;
	}
	qmp_session_enter_command_mode(s);
	return json_object_new_object();
}

static struct json_object *do_query_version(struct qmp_session *s, struct json_object *args,
					    struct qmp_error *err)
{
	(void)args;
	(void)err;
	return qmp_version_info(qmp_session_package(s));
}

static struct json_object *do_query_commands(struct qmp_session *s, struct json_object *args,
					     struct qmp_error *err)
{
	size_t n;
	const struct qmp_command *table = qmp_session_commands(s, &n);
	struct json_object *list = json_object_new_array();

	(void)args;
	(void)err;
	for (size_t i = 0; list && i < n; i++) {
		struct json_object *info = json_object_new_object();
		struct json_object *name = json_object_new_string(table[i].name);

		if (!info || !name || json_object_object_add(info, "name", name) ||
		    json_object_array_add(list, info)) {
			json_object_put(name);
			json_object_put(info);
			json_object_put(list);
			return NULL;
		}
	}
	return list;
}

static struct json_object *do_quit(struct qmp_session *s, struct json_object *args, struct qmp_error *err)
{
	const struct qmp_backend *b = qmp_session_backend(s);

	(void)args;
	if (!b || !b->quit) {
		qmp_error_set(err, QMP_ERR_GENERIC, "this monitor cannot end the process");
		return NULL;
	}
	b->quit(b->opaque);
	return json_object_new_object();
}

static struct json_object *do_query_status(struct qmp_session *s, struct json_object *args,
					   struct qmp_error *err)
{
	const struct qmp_backend *b = qmp_session_backend(s);
	struct json_object *ret;
	const char *state;
	bool running = false;

	(void)args;
	if (!b || !b->run_state || !(state = b->run_state(b->opaque, &running))) {
		qmp_error_set(err, QMP_ERR_GENERIC, "the run state is not known");
		return NULL;
	}
	ret = json_object_new_object();
	/* singlestep is always false; QEMU 7.2 clients expect the member. */
	if (!ret || json_object_object_add(ret, "status", json_object_new_string(state)) ||
	    json_object_object_add(ret, "singlestep", json_object_new_boolean(false)) ||
	    json_object_object_add(ret, "running", json_object_new_boolean(running))) {
		json_object_put(ret);
		return NULL;
	}
	return ret;
}

typedef int (*backend_op)(void *opaque, struct qmp_error *err);

/* A command that is one backend call and returns {}. */
static struct json_object *call_backend(const struct qmp_backend *b, backend_op op, struct qmp_error *err)
{
	if (!op) {
		qmp_error_set(err, QMP_ERR_GENERIC, "this monitor has no virtual machine to control");
		return NULL;
	}
	if (op(b->opaque, err))
		return NULL;
	return json_object_new_object();
}

static struct json_object *do_stop(struct qmp_session *s, struct json_object *args, struct qmp_error *err)
{
	const struct qmp_backend *b = qmp_session_backend(s);

	(void)args;
	return call_backend(b, b ? b->stop : NULL, err);
}

static struct json_object *do_cont(struct qmp_session *s, struct json_object *args, struct qmp_error *err)
{
	const struct qmp_backend *b = qmp_session_backend(s);

	(void)args;
	return call_backend(b, b ? b->cont : NULL, err);
}

static struct json_object *do_system_reset(struct qmp_session *s, struct json_object *args,
					   struct qmp_error *err)
{
	const struct qmp_backend *b = qmp_session_backend(s);

	(void)args;
	return call_backend(b, b ? b->system_reset : NULL, err);
}

static struct json_object *do_system_powerdown(struct qmp_session *s, struct json_object *args,
					       struct qmp_error *err)
{
	const struct qmp_backend *b = qmp_session_backend(s);

	(void)args;
	return call_backend(b, b ? b->system_powerdown : NULL, err);
}

static struct json_object *do_query_memory_failures(struct qmp_session *s, struct json_object *args,
						    struct qmp_error *err)
{
	const struct qmp_backend *b = qmp_session_backend(s);

	(void)args;
	if (!b || !b->memory_failures) {
		qmp_error_set(err, QMP_ERR_GENERIC, "this monitor has no virtual machine, so no memory failures");
		return NULL;
	}
	return b->memory_failures(b->opaque, err);
}

static struct json_object *do_query_ras_stats(struct qmp_session *s, struct json_object *args,
					      struct qmp_error *err)
{
	const struct qmp_backend *b = qmp_session_backend(s);

	(void)args;
	if (!b || !b->ras_stats) {
		qmp_error_set(err, QMP_ERR_GENERIC, "this monitor has no virtual machine, so no memory failures");
		return NULL;
	}
	return b->ras_stats(b->opaque, err);
}

static const char *const mf_mode_values[] = { "poison", "signal", NULL };

static const struct qmp_member inject_memory_failure_args[] = {
	{ .name = "guest-physical-address", .type = QMP_T_UINT64,
	  .doc = "an address in guest RAM; its 4 KiB page is the one that fails" },
	/* Required: a default of poison would destroy a page by accident, and
	 * a default of signal would make a test believe the kernel was involved. */
	{ .name = "mode", .type = QMP_T_ENUM, .type_name = "MemoryFailureInjectMode", .values = mf_mode_values,
	  .doc = "`poison`: the host kernel poisons the page behind guest RAM for real (MADV_HWPOISON; "
		 "needs CAP_SYS_ADMIN and CONFIG_MEMORY_FAILURE); `signal`: nothing is poisoned, vmras "
		 "takes a synthetic SIGBUS for the page through its own intake" },
	{ .name = "action-required", .type = QMP_T_BOOL, .optional = true,
	  .doc = "`signal` only: report it as action required (BUS_MCEERR_AR, on vCPU 0's thread, as if "
		 "vCPU 0 had touched the page) rather than action optional (the default)" },
	{ 0 },
};

static struct json_object *do_inject_memory_failure(struct qmp_session *s, struct json_object *args,
						    struct qmp_error *err)
{
	const struct qmp_backend *b = qmp_session_backend(s);
	struct json_object *v;
	bool poison, ar = false;
	uint64_t gpa;

	gpa = json_object_get_uint64(json_object_object_get(args, "guest-physical-address"));
	poison = !strcmp(json_object_get_string(json_object_object_get(args, "mode")), "poison");
	if (json_object_object_get_ex(args, "action-required", &v))
		ar = json_object_get_boolean(v);
	if (poison && ar) {
		qmp_error_set(err, QMP_ERR_GENERIC, "action-required is for mode 'signal': with 'poison' the host "
			      "kernel decides how it reports the page (action optional, to vmras's RAS thread)");
		return NULL;
	}
	if (!b || !b->inject_memory_failure) {
		qmp_error_set(err, QMP_ERR_GENERIC, "this monitor has no virtual machine to inject into");
		return NULL;
	}
	if (b->inject_memory_failure(b->opaque, gpa, poison, ar, err))
		return NULL;
	return json_object_new_object();
}

static const struct qmp_member inject_mce_args[] = {
	{ .name = "cpu-index", .type = QMP_T_INT, .doc = "the vCPU that gets the machine check" },
	{ .name = "bank", .type = QMP_T_INT, .doc = "MCA bank, below the bank count in MCG_CAP (vmras: 10)" },
	{ .name = "status", .type = QMP_T_UINT64, .doc = "MCi_STATUS; VAL (bit 63) must be set" },
	{ .name = "mcg-status", .type = QMP_T_UINT64, .doc = "MCG_STATUS (MCIP, RIPV, EIPV)" },
	{ .name = "addr", .type = QMP_T_UINT64, .doc = "MCi_ADDR" },
	{ .name = "misc", .type = QMP_T_UINT64, .doc = "MCi_MISC" },
	{ .name = "broadcast", .type = QMP_T_BOOL, .optional = true,
	  .doc = "Intel guests: every other vCPU gets bank 1 with status VAL|UC (0xa000000000000000) and "
		 "MCG_STATUS MCIP|RIPV, as on hardware, all set before any vCPU runs again" },
	{ 0 },
};

static uint64_t arg_u64(struct json_object *args, const char *name)
{
	return json_object_get_uint64(json_object_object_get(args, name));
}

static struct json_object *do_inject_mce(struct qmp_session *s, struct json_object *args, struct qmp_error *err)
{
	const struct qmp_backend *b = qmp_session_backend(s);
	struct json_object *v;
	struct qmp_mce mce = {
		.cpu_index = json_object_get_int64(json_object_object_get(args, "cpu-index")),
		.bank = json_object_get_int64(json_object_object_get(args, "bank")),
		.status = arg_u64(args, "status"),
		.mcg_status = arg_u64(args, "mcg-status"),
		.addr = arg_u64(args, "addr"),
		.misc = arg_u64(args, "misc"),
	};

	if (json_object_object_get_ex(args, "broadcast", &v))
		mce.broadcast = json_object_get_boolean(v);
	if (!b || !b->inject_mce) {
		qmp_error_set(err, QMP_ERR_GENERIC, "this monitor has no virtual machine to inject into");
		return NULL;
	}
	if (b->inject_mce(b->opaque, &mce, err))
		return NULL;
	return json_object_new_object();
}

static const struct qmp_member inject_ghes_v2_error_args[] = {
	{ .name = "cper", .type = QMP_T_STR,
	  .doc = "a whole ACPI Generic Error Status Block in base64: the 20-byte header (block status, raw "
		 "data offset, raw data length, data length, error severity; u32 each, little-endian), then "
		 "`data length` bytes of Generic Error Data Entries, then any raw data; at most 4096 bytes "
		 "decoded" },
	{ 0 },
};

static struct json_object *do_inject_ghes_v2_error(struct qmp_session *s, struct json_object *args,
						   struct qmp_error *err)
{
	const struct qmp_backend *b = qmp_session_backend(s);
	struct json_object *cper = json_object_object_get(args, "cper");
	char why[160];
	uint8_t *rec;
	size_t len;
	int rc;

	rec = qmp_base64_decode(json_object_get_string(cper), (size_t)json_object_get_string_len(cper), &len, err);
	if (!rec)
		return NULL;
	/* Checked here rather than left to the guest: a block its driver
	 * ignores or rejects would still take the source until acknowledged,
	 * and the client would never learn why nothing was reported. */
	if (!cper_block_check(rec, len, why, sizeof(why))) {
		qmp_error_set(err, QMP_ERR_GENERIC, "cper is not a valid Generic Error Status Block: %s", why);
		free(rec);
		return NULL;
	}
	if (!b || !b->inject_ghes) {
		qmp_error_set(err, QMP_ERR_GENERIC, "this monitor has no virtual machine to inject into");
		free(rec);
		return NULL;
	}
	rc = b->inject_ghes(b->opaque, rec, len, err);
	free(rec);
	return rc ? NULL : json_object_new_object();
}

static struct json_object *do_query_cpus_fast(struct qmp_session *s, struct json_object *args,
					      struct qmp_error *err)
{
	const struct qmp_backend *b = qmp_session_backend(s);

	(void)args;
	/* No machine, no CPUs: QEMU's -machine none answers [] too. */
	if (!b || !b->cpus)
		return json_object_new_array();
	return b->cpus(b->opaque, err);
}

const struct qmp_command qmp_commands[] = {
	{ .name = "qmp_capabilities", .args = qmp_capabilities_args, .handler = do_qmp_capabilities,
	  .flags = QMP_CMD_NEGOTIATION, .returns = "{}",
	  .doc = "Ends capabilities negotiation: until it is run, every other command is refused with "
		 "CommandNotFound, and no event is sent. Run again, it fails with CommandNotFound." },
	{ .name = "query-version", .handler = do_query_version,
	  .returns = "{\"qemu\": {\"major\": int, \"minor\": int, \"micro\": int}, \"package\": str}",
	  .doc = "The QEMU version whose QMP behaviour vmras follows, and vmras's own version in "
		 "`package`. The greeting carries the same object." },
	{ .name = "query-commands", .handler = do_query_commands,
	  .returns = "[{\"name\": str}, ...]",
	  .doc = "Every command this monitor accepts: exactly the commands in this reference." },
	{ .name = "query-status", .handler = do_query_status,
	  .returns = "{\"status\": RunState, \"singlestep\": false, \"running\": bool}",
	  .doc = "The run state, named as QEMU names it (`running`, `prelaunch`, `paused`, `shutdown`, ...). "
		 "With `--machine none` it is `running`, as for QEMU's `-machine none`." },
	{ .name = "stop", .handler = do_stop, .returns = "{}",
	  .doc = "Stops the guest's vCPUs: `running` becomes `paused`, with a STOP event before the reply. "
		 "In any other state it does nothing and succeeds, as QEMU's." },
	{ .name = "cont", .handler = do_cont, .returns = "{}",
	  .doc = "Runs the guest's vCPUs again from `prelaunch` (`--paused`) or `paused`, with a RESUME event "
		 "before the reply; nothing happens when already `running`. From `guest-panicked` it fails "
		 "with GenericError \"Resetting the Virtual Machine is required\", as QEMU's: `system_reset` "
		 "first, which leads to `prelaunch`, then `cont`." },
	{ .name = "system_reset", .handler = do_system_reset, .returns = "{}",
	  .doc = "Resets the VM as the guest's own reset does (new vCPUs and devices, RAM kept, poisoned pages "
		 "replaced), after a RESET event `{\"guest\": false, \"reason\": \"host-qmp-system-reset\"}` "
		 "sent before the reply. A running VM runs on; any other (`paused`, `guest-panicked`, "
		 "`prelaunch`) comes back in `prelaunch` and waits for `cont`, as QEMU's. With "
		 "`--machine none` only the event and the run state change, as for QEMU's `-machine none`." },
	{ .name = "system_powerdown", .handler = do_system_powerdown, .returns = "{}",
	  .doc = "Presses the ACPI power button (a Generic Event Device interrupt whose _EVT notifies the "
		 "PNP0C0C button device), after a POWERDOWN event sent before the reply, as QEMU's. The guest "
		 "decides: a Linux guest with its button driver and a listener (acpid, systemd-logind) shuts "
		 "down cleanly, and vmras then sends SHUTDOWN `guest-shutdown` and exits 0. It succeeds in "
		 "every run state; a paused guest sees the press when it runs again. With `--machine none` "
		 "only the event is sent, as for QEMU's `-machine none`." },
	{ .name = "query-memory-failures", .handler = do_query_memory_failures, .flags = QMP_CMD_EXTENSION,
	  .returns = "[{\"recipient\": \"guest\"|\"hypervisor\", \"guest-physical-address\": int (guest only), "
		     "\"host-virtual-address\": int, \"size\": int, \"ram-region\": str (optional), "
		     "\"first-seen\": {\"seconds\", \"microseconds\"}, \"last-seen\": {...}, \"count\": int, "
		     "\"action-required\": bool, \"action\": MemoryFailureAction, \"replaced\": bool}, ...]",
	  .doc = "vmras extension: every poisoned extent vmras was told about since it started (the poison "
		 "registry), in the order first reported; entries are never dropped. `size` is the extent "
		 "in bytes (a huge page is one entry), `count` the reports of it, duplicates included; "
		 "`action-required` and `action` describe the latest report (`action` as in MEMORY_FAILURE); "
		 "`replaced`: a reset has put fresh memory behind it since (poison reported again afterwards "
		 "clears it). The timestamps have the shape of an event's. With `--machine none` it fails "
		 "with GenericError: there is no guest memory." },
	{ .name = "query-ras-stats", .handler = do_query_ras_stats, .flags = QMP_CMD_EXTENSION,
	  .returns = "{\"reports\": int, \"scan-found\": int, \"pages\": int, \"told-ghes\": int, "
		     "\"told-mce\": int, \"dropped\": int, \"ghes-backlog-max\": int}",
	  .doc = "vmras extension: what vmras did with memory failures since it started, in numbers (for "
		 "benchmarks and monitoring). `reports`: memory-error reports (SIGBUS) taken; reports of a "
		 "burst merge in the kernel (one pending SIGBUS per thread), so there can be fewer than "
		 "pages. `scan-found`: poisoned guest pages a scan of guest RAM found that no report had named "
		 "(scans follow action-optional reports and resets). `pages`: distinct 4 KiB guest pages in "
		 "the poison registry (a huge page counts all its pages). `told-ghes`: pages written into GHES "
		 "error status blocks. `told-mce`: machine checks injected. `dropped`: pages never told to the "
		 "guest, whatever the cause (a full GHES backlog, a reset before the guest read them, a "
		 "machine check the guest's state refused with no GHES). `ghes-backlog-max`: the most pages "
		 "that ever waited in one GHES source's backlog. With `--machine none` it fails with "
		 "GenericError." },
	{ .name = "query-cpus-fast", .handler = do_query_cpus_fast,
	  .returns = "[{\"thread-id\": int, \"props\": {\"core-id\": int, \"thread-id\": int, \"socket-id\": int}, "
		     "\"qom-path\": str, \"cpu-index\": int, \"target\": \"x86_64\"}, ...] (x86)",
	  .doc = "Every vCPU, as QEMU 7.2 reports it for the same machine: `thread-id` is the host thread "
		 "running it (it changes at a reset, which starts new vCPU threads), the topology is one "
		 "socket with a core per vCPU (QEMU's for `-smp N`). x86, as `-machine pc`: `qom-path` is "
		 "`/machine/unattached/device[0]`, then `device[2]`, `device[3]`, ... (QEMU creates one other "
		 "device after the first CPU), `target` `x86_64`. arm64, as `-machine virt`: `props` also has "
		 "`cluster-id` 0, `qom-path` is `/machine/unattached/device[N]` for vCPU N, `target` "
		 "`aarch64`. During a reset it waits for the new vCPUs. With `--machine none` it returns "
		 "`[]`, as QEMU's `-machine none`." },
	{ .name = "inject-mce", .args = inject_mce_args, .handler = do_inject_mce, .flags = QMP_CMD_EXTENSION,
	  .returns = "{}",
	  .doc = "vmras extension, x86 only (arm64 answers GenericError: it has no machine checks; use "
		 "inject-memory-failure), the QMP form of QEMU's HMP `mce` command: sets a machine check on vCPU "
		 "`cpu-index` with KVM_X86_SET_MCE on that vCPU's thread; KVM then raises #MC, only logs it "
		 "in the bank (MCG_STATUS without MCIP), or triple-faults (CR4.MCE clear, or MCIP already "
		 "set), which resets the VM, as the hardware would. No event is sent: this is not a memory "
		 "failure vmras found. GenericError for a vCPU or bank that does not exist, a status without "
		 "VAL, `broadcast` on an AMD guest, a VM in the middle of a reset, `--machine none`, and "
		 "anything KVM refuses (its error message)." },
	{ .name = "inject-memory-failure", .args = inject_memory_failure_args, .handler = do_inject_memory_failure,
	  .flags = QMP_CMD_EXTENSION, .returns = "{}",
	  .doc = "vmras extension: makes the 4 KiB guest page at `guest-physical-address` fail. It returns "
		 "once the failure is under way; the MEMORY_FAILURE event (and query-memory-failures) tells "
		 "what vmras decided. `poison` is a real hardware-poison of the host page (the host kernel "
		 "unmaps it, and reports it to vmras as action optional if `--early-kill on`, otherwise when "
		 "the guest next touches it); the page stays poisoned until a reset replaces it. `signal` "
		 "poisons nothing: the guest is told as for a real error, and the page stays readable. "
		 "GenericError when the address is not guest RAM, with `--machine none`, when `poison` lacks "
		 "CAP_SYS_ADMIN or a kernel with CONFIG_MEMORY_FAILURE, and for `action-required` with "
		 "`poison`, or when vCPU 0 is not running for an action-required `signal`." },
	{ .name = "inject-ghes-v2-error", .args = inject_ghes_v2_error_args, .handler = do_inject_ghes_v2_error,
	  .returns = "{}", .qemu_since = "10.2",
	  .doc = "Delivers a raw CPER record, for firmware and guest testing: `cper` decoded is a whole Generic "
		 "Error Status Block, handed as it is to the guest through the action-optional GHESv2 error "
		 "source (source id 1, notified through the GED and the Hardware Error Device; on arm64 the guest has it when it booted through firmware, with ACPI). When the guest has not yet "
		 "acknowledged the source's previous record, the block waits in the source's queue (16 "
		 "records) and is written and notified once the guest acknowledges those before it; QEMU "
		 "fails instead. The reply says only that it was written or queued: the guest's log tells "
		 "what it made of it. The record is checked first (header, non-zero block status, data "
		 "entries that tile the data length, raw data inside the record; not the sections' "
		 "contents). GenericError when `cper` is not base64 (\"Base64 data contains invalid "
		 "characters\", as QEMU, or malformed), is not a valid status block (\"cper is not a valid "
		 "Generic Error Status Block: \" and the reason), with `--ras mce` (\"GHES is not enabled: "
		 "vmras runs with --ras mce\": no GHES sources), with `--machine none`, while vmras shuts down, and "
		 "when the queue is full." },
	{ .name = "quit", .handler = do_quit, .returns = "{}",
	  .doc = "Ends vmras (exit status 0) once this reply has been sent, after a SHUTDOWN event "
		 "`{\"guest\": false, \"reason\": \"host-qmp-quit\"}` sent before the reply, as QEMU's." },
};
const size_t qmp_ncommands = sizeof(qmp_commands) / sizeof(qmp_commands[0]);
