#!/usr/bin/env bash
# Issue 14: a reset finds and replaces poisoned pages vmras never heard of,
# and vmras never hangs after a burst of poison: see inside/linux-reset-burst.sh.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
linux_test reset-burst
