#!/usr/bin/env bash
# Issue 12, part 3: 500 pages of guest RAM poisoned back to back while the
# guest runs; vmras finds every one (reports merge), tells the guest of each,
# and the guest isolates them all and lives: see inside/linux-burst.sh.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
linux_test burst
