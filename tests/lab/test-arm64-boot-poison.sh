#!/usr/bin/env bash
# Issue 12, part 4, in the arm64 lab: a restart on a file: backing with
# poisoned pages; the UEFI guest boots with a BERT naming them. The scenario
# is x86's (inside/linux-boot-poison.sh).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
arm64_linux_test boot-poison 600
