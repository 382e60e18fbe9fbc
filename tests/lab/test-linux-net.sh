#!/usr/bin/env bash
# Issue 13: a virtio network device on a TAP under a Debian guest (see inside/linux-net.sh).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
linux_test net
