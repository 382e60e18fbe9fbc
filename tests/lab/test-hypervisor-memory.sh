#!/usr/bin/env bash
# Issue 3, scenario 5: a poisoned page of vmras's own memory (not guest RAM).
# Action optional: {hypervisor, ignore} and vmras goes on; action required
# (vmras reads it): {hypervisor, fatal}, a clear message, exit status 1. The
# checks are in inside/hypervisor-memory.sh, which runs in one lab/run.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(dirname "$(dirname "$here")")
build=${VMRAS_LAB_BUILD_DIR:-$repo/build-static}
for f in vmras vmras-poison tests/guest/mcetest.bzimage; do
	if [ ! -f "$build/$f" ]; then
		echo "${build#"$repo/"}/$f is not built (make static)"
		exit 77
	fi
done
exec "$repo/lab/run" --timeout 180 --share "$here/inside" -- sh "$here/inside/hypervisor-memory.sh"
