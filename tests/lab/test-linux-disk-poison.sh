#!/usr/bin/env bash
# Issue 13: a virtio disk meets a poisoned guest page (see inside/linux-disk-poison.sh).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
linux_test disk-poison
