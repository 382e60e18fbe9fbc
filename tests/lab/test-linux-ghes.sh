#!/usr/bin/env bash
# Issue 5: a Linux guest told of memory failures through APEI (--ras ghes):
# see inside/linux-ghes.sh.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
linux_test ghes
