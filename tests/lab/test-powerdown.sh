#!/usr/bin/env bash
# system_powerdown: QMP presses the ACPI power button (a GED interrupt whose
# _EVT notifies the PNP0C0C button), the Debian guest's button driver and
# busybox acpid power it off cleanly, and the QMP client sees POWERDOWN then
# SHUTDOWN {guest: true, reason: guest-shutdown}; vmras exits 0. The checks
# are in inside/powerdown.sh.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
need_static vmras vmras-ctl
exec "$repo/lab/run" --share "$here/inside" -- sh "$here/inside/powerdown.sh"
