#!/usr/bin/env bash
# Issue 3, scenario 5: a poisoned page of vmras's own memory (not guest RAM).
# Action optional: {hypervisor, ignore} and vmras goes on; action required
# (vmras reads it): {hypervisor, fatal}, a clear message, exit status 1. The
# checks are in inside/hypervisor-memory.sh, which runs in one lab/run.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
need_static vmras vmras-poison tests/guest/mcetest.bzimage
exec "$repo/lab/run" --timeout 180 --share "$here/inside" -- sh "$here/inside/hypervisor-memory.sh"
