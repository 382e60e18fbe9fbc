#!/usr/bin/env bash
# pvpanic: the Debian guest's driver binds to vmras's QEMU0001 device on its
# own, and a guest panic (echo c > /proc/sysrq-trigger) gives GUEST_PANICKED
# with the --on-panic action: pause (vmras stays, vCPUs held), poweroff (vmras
# exits 0) and run (the guest goes on). The checks are in inside/pvpanic.sh,
# one lab/run for all three guests.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
need_static vmras vmras-ctl
exec "$repo/lab/run" --share "$here/inside" -- sh "$here/inside/pvpanic.sh"
