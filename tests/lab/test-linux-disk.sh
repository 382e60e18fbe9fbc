#!/usr/bin/env bash
# Issue 13: a virtio disk under a Debian guest (see inside/linux-disk.sh).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
linux_test disk
