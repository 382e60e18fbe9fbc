#!/usr/bin/env bash
# Issue 3, scenario 2 (action-required, the reader killed): see inside/linux-ar.sh. One lab/run for every guest
# CPU vendor (the host's, and Intel where vmras has --cpu-vendor).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(dirname "$(dirname "$here")")
. "$here/inside/linux-stage.sh"
linux_stage "$repo" "$here/inside"
"$repo/lab/run" --share "$here/inside" --share "$STAGE" -- sh "$here/inside/linux-ar.sh" "$STAGE/guest.cpio"
