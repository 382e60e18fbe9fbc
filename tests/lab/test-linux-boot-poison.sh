#!/usr/bin/env bash
# Issue 12, part 4: poison in a file backing outlives vmras; the next vmras
# finds it before the guest runs, replaces it, records and announces it, and
# tells the guest through an ACPI BERT: see inside/linux-boot-poison.sh.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
linux_test boot-poison
