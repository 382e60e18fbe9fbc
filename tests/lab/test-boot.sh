#!/usr/bin/env bash
# Guests boot under vmras: 1 and 2 vCPUs, 512 MiB and 3.5 GiB (RAM above 4 GiB),
# a command run through vmras.run=, power-off ends vmras with 0, and a reboot
# resets the VM, which boots again. The checks are in inside/boot.sh, which runs
# in one lab/run (auto mode: directly where /dev/kvm works, else in the test host).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
need_static vmras
# 4.5 GiB for the test host, so that a 3.5 GiB guest fits in it.
exec "$repo/lab/run" --mem 4608 --share "$here/inside" -- sh "$here/inside/boot.sh"
