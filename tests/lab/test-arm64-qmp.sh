#!/usr/bin/env bash
# A QMP client drives the aarch64 vmras with the Debian arm64 guest, as
# test-qmp.sh does on x86: --paused, cont, stop, cont, query-cpus-fast in
# QEMU's arm shape, inject-mce refused, system_reset (the guest boots again),
# quit; the events in order; system_powerdown through the PL061 power key
# powers the guest off. The checks are in inside/arm64-qmp.sh.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
VMRAS_LAB_BUILD_DIR=$repo/build-static-arm64 need_static vmras vmras-ctl vmras-cper
exec "$repo/lab/run" --arch arm64 --timeout 600 --share "$here/inside" -- sh "$here/inside/arm64-qmp.sh"
