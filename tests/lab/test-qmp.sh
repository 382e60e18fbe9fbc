#!/usr/bin/env bash
# Issue 4: a QMP client drives a real vmras (run state, system_reset,
# query-memory-failures, events in order, real poison). The checks are in
# inside/qmp.sh, one lab run with the mcetest guest.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
need_static vmras vmras-poison vmras-ctl tests/guest/mcetest.bzimage
exec "$repo/lab/run" --timeout 200 --share "$here/inside" -- sh "$here/inside/qmp.sh"
