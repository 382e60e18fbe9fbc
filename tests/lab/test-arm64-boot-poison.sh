#!/usr/bin/env bash
# Issue 12, part 4, in the arm64 lab: a restart on a file: backing with
# poisoned pages; the UEFI guest boots with a BERT naming them. The scenario
# is x86's (inside/linux-boot-poison.sh).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
. "$here/inside/linux-stage.sh"
linux_stage "$repo" "$here/inside" build-static-arm64
VMRAS_LAB_BUILD_DIR=$repo/build-static-arm64 need_static vmras vmras-poison vmras-ctl
"$repo/lab/run" --arch arm64 --timeout 600 --share "$here/inside" --share "$STAGE" -- \
	sh "$here/inside/linux-boot-poison.sh" "$STAGE/guest.cpio"
