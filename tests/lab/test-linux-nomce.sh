#!/usr/bin/env bash
# Issue 3, scenario 3 (mce=off guest: reset): see inside/linux-nomce.sh. One lab/run for every guest
# CPU vendor (the host's, and Intel where vmras has --cpu-vendor).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
linux_test nomce
