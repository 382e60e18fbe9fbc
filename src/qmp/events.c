/* vmras's QMP events: what each carries, for the reference and for the tests
 * that check emitted events against it. The events themselves are built
 * where they happen (MEMORY_FAILURE in src/ras/event.c, the pvpanic events in
 * src/ras/guest_panic.c); tests/unit/test_qmp_schema.c checks them against
 * this table. */
#include "qmp/schema.h"

static const char *const recipient_values[] = { "hypervisor", "guest", NULL };
static const char *const action_values[] = { "ignore", "inject", "fatal", "reset", NULL };
static const char *const delivery_values[] = {
	"raised", "logged", "overflowed", "dropped-global", "dropped-bank", "no-mce", "in-progress", "invalid", NULL,
};

static const struct qmp_member memory_failure_flags[] = {
	{ .name = "action-required", .type = QMP_T_BOOL,
	  .doc = "the error was consumed (SIGBUS BUS_MCEERR_AR), not found ahead of use" },
	{ .name = "recursive", .type = QMP_T_BOOL,
	  .doc = "a machine check was already in progress in the guest" },
	{ 0 },
};

static const struct qmp_member machine_check[] = {
	{ .name = "bank", .type = QMP_T_INT, .doc = "the MCA bank written" },
	{ .name = "status", .type = QMP_T_STR, .doc = "MCi_STATUS, hex" },
	{ .name = "mcg-status", .type = QMP_T_STR, .optional = true,
	  .doc = "MCG_STATUS, hex; present when a machine check was raised" },
	{ .name = "address", .type = QMP_T_STR, .doc = "MCi_ADDR, hex" },
	{ .name = "misc", .type = QMP_T_STR, .doc = "MCi_MISC, hex" },
	{ .name = "delivery", .type = QMP_T_ENUM, .type_name = "MceDelivery", .values = delivery_values,
	  .doc = "what KVM did with the record" },
	{ .name = "broadcast", .type = QMP_T_BOOL, .doc = "every vCPU was sent a machine check" },
	{ 0 },
};

static const char *const ghes_delivery_values[] = { "notified", "queued", "dropped", "invalid", NULL };

static const struct qmp_member ghes_record[] = {
	{ .name = "source", .type = QMP_T_INT,
	  .doc = "the HEST error source: 0 for errors a vCPU consumed, 1 for errors found early" },
	{ .name = "delivery", .type = QMP_T_ENUM, .type_name = "GhesDelivery", .values = ghes_delivery_values,
	  .doc = "`notified`: written into the error status block and the guest notified; `queued`: waits "
		 "in the source's page backlog until the guest acknowledged the block before it (pages go "
		 "up to 16 a block); `dropped`: the backlog was full (see `reason`)" },
	{ .name = "waiting", .type = QMP_T_INT,
	  .doc = "pages waiting in the source's backlog after this report, this one included when queued" },
	{ 0 },
};

static const struct qmp_member arm_record[] = {
	{ .name = "sea", .type = QMP_T_BOOL,
	  .doc = "a Synchronous External Abort was injected on the vCPU, so that it reads the record (action "
		 "required, source 0); false for an action-optional record (notified through the GED's "
		 "interrupt), and when the injection failed (see `reason`)" },
	{ 0 },
};

static const struct qmp_member memory_failure[] = {
	{ .name = "recipient", .type = QMP_T_ENUM, .type_name = "MemoryFailureRecipient",
	  .values = recipient_values, .doc = "whose memory failed: the guest's RAM, or vmras's own" },
	{ .name = "action", .type = QMP_T_ENUM, .type_name = "MemoryFailureAction", .values = action_values,
	  .doc = "what vmras does about it, after this event is sent" },
	{ .name = "flags", .type = QMP_T_OBJECT, .type_name = "MemoryFailureFlags",
	  .members = memory_failure_flags, .doc = "as QEMU's" },
	{ .name = "guest-physical-address", .type = QMP_T_UINT64, .optional = true,
	  .doc = "vmras extension: the guest page's address (guest memory only)" },
	{ .name = "host-virtual-address", .type = QMP_T_UINT64,
	  .doc = "vmras extension: the poisoned address in vmras's address space" },
	{ .name = "size", .type = QMP_T_UINT64, .doc = "vmras extension: bytes lost (the host page size)" },
	{ .name = "ram-region", .type = QMP_T_STR, .optional = true,
	  .doc = "vmras extension: the guest RAM region (`ram-below-4g`, ...)" },
	{ .name = "cpu-index", .type = QMP_T_INT, .optional = true,
	  .doc = "vmras extension: the vCPU concerned, when there is one" },
	{ .name = "device", .type = QMP_T_STR, .optional = true,
	  .doc = "vmras extension: the device whose access to guest memory met the poisoned page "
		 "(`virtio-blk0`, ...); that one request failed, the device and the guest go on" },
	{ .name = "reason", .type = QMP_T_STR, .optional = true,
	  .doc = "vmras extension: why, when the action is not a plain inject" },
	{ .name = "count", .type = QMP_T_INT, .optional = true,
	  .doc = "vmras extension: reports of this page so far" },
	{ .name = "machine-check", .type = QMP_T_OBJECT, .type_name = "MachineCheckRecord", .optional = true,
	  .members = machine_check, .doc = "vmras extension: the x86 record injected (action `inject`)" },
	{ .name = "arm", .type = QMP_T_OBJECT, .type_name = "ArmNotification", .optional = true,
	  .members = arm_record,
	  .doc = "vmras extension: on arm64, how the guest was notified of the GHES record (present with "
		 "`ghes`)" },
	{ .name = "ghes", .type = QMP_T_OBJECT, .type_name = "GhesRecord", .optional = true,
	  .members = ghes_record,
	  .doc = "vmras extension: the CPER record for the guest's APEI error source (`--ras ghes` or `both`)" },
	{ 0 },
};

static const char *const panic_actions[] = { "pause", "poweroff", "run", NULL };

static const struct qmp_member guest_panicked[] = {
	{ .name = "action", .type = QMP_T_ENUM, .type_name = "GuestPanicAction", .values = panic_actions,
	  .doc = "what vmras does (`--on-panic`): hold every vCPU, power off, or let the guest run" },
	{ 0 },
};

static const char *const run_only[] = { "run", NULL };

static const struct qmp_member guest_crashloaded[] = {
	{ .name = "action", .type = QMP_T_ENUM, .type_name = "GuestPanicAction", .values = run_only,
	  .doc = "always `run`: the crash kernel goes on" },
	{ 0 },
};

static const char *const shutdown_causes[] = {
	"host-qmp-quit", "host-qmp-system-reset", "host-signal", "guest-shutdown", "guest-reset", "guest-panic", NULL,
};

static const struct qmp_member shutdown_data[] = {
	{ .name = "guest", .type = QMP_T_BOOL, .doc = "the guest asked for it (rather than the host or its user)" },
	{ .name = "reason", .type = QMP_T_ENUM, .type_name = "ShutdownCause", .values = shutdown_causes,
	  .doc = "why, in QEMU's words; vmras uses the causes listed here" },
	{ 0 },
};

const struct qmp_event_spec qmp_events[] = {
	{ .name = "MEMORY_FAILURE", .data = memory_failure,
	  .doc = "Hardware memory failed under the guest or under vmras. Sent before the action is taken. "
		 "`recipient`, `action` and `flags` are QEMU's; the other members are vmras's additions, "
		 "which QEMU clients ignore." },
	{ .name = "GUEST_PANICKED", .data = guest_panicked,
	  .doc = "The guest wrote \"panicked\" to the pvpanic device (x86: I/O port 0x505; arm64: MMIO "
		 "0x9060000). Sent before the action. QEMU's optional `info` (Hyper-V or s390 crash registers) "
		 "is never present." },
	{ .name = "GUEST_CRASHLOADED", .data = guest_crashloaded,
	  .doc = "The guest wrote \"crash loaded\" to the pvpanic device: a kdump kernel took over. "
		 "The guest keeps running." },
	{ .name = "STOP",
	  .doc = "The guest's vCPUs stopped: QMP `stop` from `running`, or a guest panic with "
		 "`--on-panic pause` (after GUEST_PANICKED). Not sent when nothing was running "
		 "(`stop` in `prelaunch` or `paused`), as QEMU." },
	{ .name = "RESUME",
	  .doc = "The guest's vCPUs run again: QMP `cont` from `prelaunch` (`--paused`) or `paused`." },
	{ .name = "RESET", .data = shutdown_data,
	  .doc = "The VM is being reset: `{\"guest\": false, \"reason\": \"host-qmp-system-reset\"}` for QMP "
		 "`system_reset`, `{\"guest\": true, \"reason\": \"guest-reset\"}` when the guest resets "
		 "(reset register, keyboard controller, 0xcf9, triple fault). Sent before the reset." },
	{ .name = "SHUTDOWN", .data = shutdown_data,
	  .doc = "vmras is ending the VM: `host-qmp-quit` (QMP `quit`, sent before its reply, and Ctrl-a x), "
		 "`host-signal` (SIGTERM, SIGINT, SIGHUP), `guest-shutdown` (ACPI or pvpanic power-off), "
		 "`guest-panic` (a panic with `--on-panic poweroff`). Not sent when vmras ends on an error." },
	{ .name = "POWERDOWN",
	  .doc = "QMP `system_powerdown` pressed the ACPI power button; sent before the press and before the "
		 "reply, whatever the run state (a paused guest sees the press when it runs again). What the "
		 "guest does about it comes later, if at all: a SHUTDOWN `guest-shutdown` when it powers off." },
	{ .name = "GUEST_PVSHUTDOWN",
	  .doc = "The guest wrote \"shutdown\" to the pvpanic device, announcing a power-off." },
};
const size_t qmp_nevents = sizeof(qmp_events) / sizeof(qmp_events[0]);
