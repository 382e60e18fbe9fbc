#!/usr/bin/env bash
# Issue 3, scenario 6: after a guest reset, poisoned pages are replaced and the
# rebooted guest uses all its memory without a new error (mcetest and a Linux
# guest). The checks are in inside/reset-poison.sh, which runs in one lab/run.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
need_static vmras vmras-poison tests/guest/mcetest.bzimage tests/guest/mcetest.elf
build=${VMRAS_LAB_BUILD_DIR:-$repo/build-static}
# Where mcetest's per-CPU stacks are (pages it clears at every boot).
stacks=$(nm "$build/tests/guest/mcetest.elf" | awk '$3 == "cpu_stacks" { print "0x" $1 }')
if [ -z "$stacks" ]; then
	echo "no symbol cpu_stacks in mcetest.elf (nm)"
	exit 1
fi
exec "$repo/lab/run" --timeout 400 --env "MCETEST_CPU_STACKS=$stacks" --share "$here/inside" -- sh "$here/inside/reset-poison.sh"
