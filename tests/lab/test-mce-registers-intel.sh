#!/usr/bin/env bash
# Issue 3, scenario 4: exact machine-check registers, OVER, recursion and
# CR4.MCE resets, reporting disabled, broadcast, synthetic reports, with the
# mcetest guest and real poison, for an Intel guest (test-mce-registers-amd.sh:
# the same for an AMD one; one lab run each, so that a retry after a test-host
# hiccup costs half). The checks are in inside/mce-registers.sh.
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
exec "$repo/lab/run" --timeout 200 --env MCE_VENDORS=intel --share "$here/inside" -- sh "$here/inside/mce-registers.sh"
