#!/bin/sh
# arm64 guest boot checks, run inside the arm64 lab by tests/lab/test-arm64-boot.sh.
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"

# lib.sh's facts and the DT's memory range (one, at 1 GiB).
facts="$GUEST_FACTS"'
echo "DT_MEMORY=$(od -An -tx1 /proc/device-tree/memory@40000000/reg | tr -d " \n")"
'

check_boot() { # NAME CPUS MEM_MIB RC
	check_guest "$@" || return 1
	want_dt=$(printf '0000000040000000%016x' $(($3 * 1024 * 1024)))
	[ "$(value "$1" DT_MEMORY)" = "$want_dt" ] ||
		fail "$1" "$1: DT memory reg is '$(value "$1" DT_MEMORY)', expected $want_dt"
	[ -n "$MEMTOTAL_PCT" ] && say "  $1: $MEMTOTAL_PCT"
	return 0
}

guest one-cpu "$facts" --firmware none --cpus 1 --memory 512M
if ! check_boot one-cpu 1 512 $?; then
	say "the first guest did not boot: not trying the others"
	finish
fi

guest two-cpus "$facts" --firmware none --cpus 2 --memory 512M
check_boot two-cpus 2 512 $?

# Reboot (PSCI SYSTEM_RESET): the marker goes in RAM above mem=510M, which the
# guest's kernel leaves alone.
GUEST_APPEND=mem=510M
guest reboot "$(reboot_script 0x5ff00000)" --firmware none --cpus 2 --memory 512M
rc=$?
GUEST_APPEND=
check_reboot reboot $rc
expect reboot '^vmras: guest reset' "vmras did not log the guest's reset"

finish
