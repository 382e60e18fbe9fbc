#!/usr/bin/env bash
# Issue 12 part 2: a lost 2 MiB hugepage of hugetlb-backed guest RAM, action
# optional and action required (--ras both): see inside/linux-hugetlb.sh.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
linux_test hugetlb
