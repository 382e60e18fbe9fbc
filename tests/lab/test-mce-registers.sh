#!/usr/bin/env bash
# Issue 3, scenario 4: exact machine-check registers, OVER, recursion and
# CR4.MCE resets, reporting disabled, broadcast, with the mcetest guest and real
# poison, for AMD and Intel guests. The checks are in inside/mce-registers.sh,
# which runs in one lab/run.
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
exec "$repo/lab/run" --timeout 400 --share "$here/inside" -- sh "$here/inside/mce-registers.sh"
