#!/bin/sh
# Runs inside the arm64 lab (lab/run --arch arm64), started by
# bench/arm64-vs-qemu: vmras against Debian's QEMU 7.2 (qemu-system-aarch64,
# -machine virt,ras=on), both booting the same kernel and initramfs through
# the same UEFI firmware with the same vCPUs, memory and command line.
#   1. boot-to-init, BENCH_RUNS boots each, alternating; prints
#        BOOT VMM RUN MARKER_MS STATUS
#   2. memory-failure scenarios with a real poisoned host page
#      (hwpoison_inject's corrupt-pfn, through vmras-poison: vmras's page found
#      by its memfd names, QEMU's by its RAM mapping, --ram):
#        ao  an early-kill guest process's dirty page is poisoned (the VMM,
#            which asked for early kill, hears BUS_MCEERR_AO)
#        ar  a late-kill process's page is poisoned (vmras with --early-kill
#            off: not told; QEMU sets early kill itself and is told, AO), then
#            the process reads it (the vCPU gets BUS_MCEERR_AR)
#      prints per scenario and VMM
#        MF SCEN VMM key=value ...
#        KEY SCEN VMM LINE        (the guest's memory-failure lines, QMP events)
# POSIX sh (busybox ash in the test host).
#
# Environment: BENCH_QEMU (the QEMU bundle folder), BENCH_STAGE (folder with
# guest.cpio: pageholder and the guest scripts), BENCH_RUNS, BENCH_WARMUP,
# BENCH_CPUS, BENCH_MEMORY (MiB), BENCH_TIMEOUT (s a boot may take),
# BENCH_VMMS ("vmras qemu"), BENCH_PARTS ("boot mf"), BENCH_DUMP_LOGS=1
# (each log between "LOG-BEGIN NAME" and "LOG-END NAME"); from the lab:
# VMRAS_GUEST_KERNEL, VMRAS_GUEST_INITRD, VMRAS_GUEST_FIRMWARE.

runs=${BENCH_RUNS:-3}
cpus=${BENCH_CPUS:-2}
mem=${BENCH_MEMORY:-512}
timeout=${BENCH_TIMEOUT:-300}
vmms=${BENCH_VMMS:-vmras qemu}
parts=${BENCH_PARTS:-boot mf}
kernel=$VMRAS_GUEST_KERNEL
fw=${VMRAS_GUEST_FIRMWARE:-/usr/share/qemu-efi-aarch64/QEMU_EFI.fd}
# QEMU's virt board: RAM from GPA 0x40000000 (vmras's arm64 layout is the same).
ram_gpa=0x40000000
self=$(cd "$(dirname "$0")" && pwd -P)/$(basename "$0")

say() { echo "bench: $*"; }
# Milliseconds on the test host's clock.
now_ms() {
	_t=$(date +%s%N 2>/dev/null)
	case $_t in
	*N | "") _u=$(cut -d' ' -f1 /proc/uptime); echo $((${_u%.*} * 1000 + 1${_u#*.}0 - 1000)) ;;
	*) echo $((_t / 1000000)) ;;
	esac
}

# Replaces the shell with the VMM (so that a background job's pid is the VMM's).
# shellcheck disable=SC2086 # $QEMU_ARGS: words
run_vmm() { # VMM INITRD APPEND QMP-SOCKET|- [vmras options...]
	_v=$1 _i=$2 _a=$3 _q=$4
	shift 4
	case $_v in
	vmras)
		if [ "$_q" = - ]; then
			exec vmras --kernel "$kernel" --initrd "$_i" --cpus "$cpus" --memory "${mem}M" --append "$_a" "$@"
		else
			exec vmras --kernel "$kernel" --initrd "$_i" --cpus "$cpus" --memory "${mem}M" --append "$_a" \
				--qmp "unix:$_q" "$@"
		fi ;;
	qemu)
		if [ "$_q" = - ]; then
			exec "$BENCH_QEMU/qemu" $QEMU_ARGS -bios "$fw" -m "$mem" -smp "$cpus" \
				-kernel "$kernel" -initrd "$_i" -append "$_a"
		else
			exec "$BENCH_QEMU/qemu" $QEMU_ARGS -bios "$fw" -m "$mem" -smp "$cpus" \
				-kernel "$kernel" -initrd "$_i" -append "$_a" -qmp "unix:$_q,server=on,wait=off"
		fi ;;
	esac
}
# Split on purpose where used.
QEMU_ARGS="-enable-kvm -machine virt,ras=on,gic-version=3 -cpu host -nodefaults -no-user-config -display none
	-no-reboot -serial stdio -nic none"
# time-to-marker runs a command: this script again, as "sh THIS --vmm ...".
if [ "${1:-}" = --vmm ]; then
	shift
	# shellcheck disable=SC2086
	run_vmm "$@"
	exit 127
fi

dump() { # NAME FILE
	[ "${BENCH_DUMP_LOGS:-0}" = 1 ] || return 0
	echo "LOG-BEGIN $1"
	tr -d '\r' <"$2"
	echo "LOG-END $1"
}

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
echo "INFO host: $(uname -r), $(nproc) CPUs, $(awk '/^MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo)"
echo "INFO guest: $(basename "$kernel"), $cpus vCPUs, $mem MiB, firmware $fw (both VMMs)"
echo "INFO vmras: $(vmras --version 2>&1 | head -n1): vmras --kernel K --initrd I --cpus $cpus --memory ${mem}M --append CMDLINE [--qmp unix:S] (UEFI boot, the default)"
# shellcheck disable=SC2086
echo "INFO qemu: $("$BENCH_QEMU/qemu" --version 2>&1 | head -n1): qemu-system-aarch64" $QEMU_ARGS "-bios FW -m $mem -smp $cpus -kernel K -initrd I -append CMDLINE [-qmp unix:S,server=on,wait=off]"

# ------------------------------------------------------------------ 1. boot-to-init
boot() { # VMM LOG
	time-to-marker --timeout "$timeout" --grace 60 --output "$2" -- sh "$self" --vmm "$1" "$VMRAS_GUEST_INITRD" \
		"console=ttyAMA0 quiet vmras.run=$(echo true | base64 | tr -d '\n')" -
}

rc=0
case " $parts " in *" boot "*)
	w=1
	while [ "$w" -le "${BENCH_WARMUP:-1}" ]; do
		for v in $vmms; do
			res=$(boot "$v" "$logs/warmup-$v.log" 2>"$logs/err")
			echo "INFO warm-up boot under $v (not counted): ${res%% exit_ms=*}"
		done
		w=$((w + 1))
	done
	r=1
	while [ "$r" -le "$runs" ]; do
		order=$vmms
		[ $((r % 2)) = 0 ] && order=$(echo "$vmms" | awk '{ for (i = NF; i >= 1; i--) printf "%s%s", $i, (i > 1 ? " " : "") }')
		for v in $order; do
			log=$logs/boot-$v-$r.log
			res=$(boot "$v" "$log" 2>"$logs/err")
			st=$?
			# shellcheck disable=SC2086
			set -- $res
			marker=${1#marker_ms=} status=${3#status=}
			[ -n "$marker" ] && [ "$st" = 0 ] || { marker=-; rc=1; sed 's/^/    /' "$logs/err"; }
			echo "BOOT $v $r $marker ${status:-?}"
			dump "boot-$v-$r" "$log"
		done
		r=$((r + 1))
	done ;;
esac

# ------------------------------------------------------------------ 2. memory failures
case " $parts " in *" mf "*) ;; *) exit $rc ;; esac
initrd=$logs/guest-initrd
cat "$VMRAS_GUEST_INITRD" "$BENCH_STAGE/guest.cpio" >"$initrd" || { echo "bench: cannot build the guest initramfs"; exit 1; }

vm_alive() { kill -0 "$VM_PID" 2>/dev/null; }
# Waits until the console matches the ERE (SECONDS at most, 0.05 s steps).
wait_for() { # ERE SECONDS
	_n=$(($2 * 20))
	while [ $_n -gt 0 ]; do
		grep -Eq "$1" "$LOG" && return 0
		vm_alive || { grep -Eq "$1" "$LOG"; return; }
		sleep 0.05
		_n=$((_n - 1))
	done
	return 1
}
field() { # HOLDER FIELD
	tr -d '\r' <"$LOG" | sed -n "s/.*pageholder: $1 pid=.* $2=\([^ ]*\).*/\1/p" | head -n1
}

mf_start() { # SCEN VMM [vmras options]
	SCEN=$1 V=$2
	shift 2
	N=$SCEN-$V LOG=$logs/$SCEN-$V.log SOCK=$logs/$SCEN-$V.sock QMPLOG=$logs/$SCEN-$V.qmp
	rm -f "$logs/$N.in"
	mkfifo "$logs/$N.in"
	_b64=$(printf '. /vmras/bench-mf.sh %s\n' "$SCEN" | base64 | tr -d '\n')
	if [ "$V" = vmras ]; then
		run_vmm "$V" "$initrd" "console=ttyAMA0 quiet vmras.run=$_b64" "$SOCK" "$@" <"$logs/$N.in" >"$LOG" 2>&1 &
	else
		run_vmm "$V" "$initrd" "console=ttyAMA0 quiet vmras.run=$_b64" "$SOCK" <"$logs/$N.in" >"$LOG" 2>&1 &
	fi
	VM_PID=$!
	exec 3>"$logs/$N.in"
	_t=100
	while [ ! -S "$SOCK" ] && [ $_t -gt 0 ]; do sleep 0.1; _t=$((_t - 1)); done
	vmras-ctl --socket "$SOCK" events >"$QMPLOG" 2>&1 &
	FOLLOWER=$!
	say "$N: started $V (pid $VM_PID) $*"
}

# Guest RAM of process PID: "GPA:HVA:SIZE" for vmras-poison --ram: QEMU's
# is one anonymous private mapping of exactly the guest RAM size.
qemu_ram() { # PID
	_size=$((mem * 1024 * 1024))
	_found=
	while read -r _range _perm _off _dev _ino _path; do
		[ -z "$_path" ] && [ "$_perm" = rw-p ] || continue
		_s=${_range%-*} _e=${_range#*-}
		[ $((0x$_e - 0x$_s)) = "$_size" ] || continue
		[ -z "$_found" ] || { echo "bench: two anonymous mappings of $_size bytes in QEMU" >&2; return 1; }
		_found="$ram_gpa:0x$_s:$_size"
	done <"/proc/$1/maps"
	[ -n "$_found" ] && echo "$_found"
}

do_poison() { # GPA
	if [ "$V" = qemu ]; then
		_ram=$(qemu_ram "$VM_PID") || { echo "bench: $N: no RAM mapping of $mem MiB in QEMU's maps" >"$logs/$N.poison"; return 1; }
		vmras-poison --ram "$_ram" "$VM_PID" "$1" >"$logs/$N.poison" 2>&1
	else
		vmras-poison "$VM_PID" "$1" >"$logs/$N.poison" 2>&1
	fi
}

mf_end() {
	_k=0
	while [ $_k -lt 600 ] && vm_alive && ! grep -q 'vmras-guest: exit' "$LOG"; do sleep 0.2; _k=$((_k + 1)); done
	_k=0
	while [ $_k -lt 50 ] && vm_alive; do sleep 0.2; _k=$((_k + 1)); done
	if vm_alive; then
		say "$N: stopping $V"
		kill "$VM_PID"
		sleep 5
		kill -KILL "$VM_PID" 2>/dev/null
	fi
	wait "$VM_PID"
	VM_RC=$?
	exec 3>&-
	sleep 0.5
	kill "$FOLLOWER" 2>/dev/null
	wait "$FOLLOWER" 2>/dev/null
	tr -d '\r' <"$LOG" >"$logs/$N.txt"
}

# The guest console time ("[ 12.345678] ") of the first line matching ERE.
klog_time() { # ERE
	grep -E "$1" "$logs/$N.txt" | sed -n 's/.*\[ *\([0-9]*\.[0-9]*\)\] .*/\1/p' | head -n1
}
ms_between() { # T1 T2 (seconds.fraction) -> ms
	[ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", (b - a) * 1000 + 0.5 }'
}

# Prints the MF and KEY lines of the scenario.
mf_report() { # CODE (SIGBUS code wanted: 4 or 5) HOLDER POISON_MS RECOVERED_MS GUEST_FROM_ERE
	_t=$logs/$N.txt
	_pfn=$5
	_rec=no _dec=no _sig=none _lived=no
	grep -q 'Hardware error from APEI Generic Hardware Error Source' "$_t" && _dec=yes
	grep -Eq "Memory failure: $_pfn: .*: Recovered" "$_t" && _rec=yes
	_sig=$(sed -n "s/.*pageholder: $2 SIGBUS code=[0-9]* (\([A-Z_]*\)).*/\1/p" "$_t" | head -n1)
	grep -q '^vmras-guest: exit 0' "$_t" && ! grep -Eq 'Kernel panic|Oops|Internal error' "$_t" && _lived=yes
	_ev=$(sed -n 's/.*"event": *"\([A-Z_]*\)".*/\1/p' "$QMPLOG" | tr '\n' ',' | sed 's/,$//')
	_host=-
	[ -n "$4" ] && _host=$(($4 - $3))
	_g=-
	if [ "$_rec" = yes ]; then
		_g=$(ms_between "$(klog_time "$6")" "$(klog_time "Memory failure: $_pfn: .*Recovered")")
		[ -n "$_g" ] || _g=-
	fi
	echo "MF $SCEN $V decoded=$_dec recovered=$_rec sigbus=${_sig:-none} lived=$_lived vmm_exit=$VM_RC events=${_ev:-none} host_ms=$_host guest_ms=$_g corrupted_kb=$(sed -n 's/^vmras-test: alive corrupted_kb=//p' "$_t" | head -n1)"
	grep -E 'Hardware [Ee]rror|Memory failure|pageholder: .*(SIGBUS|pid=)|^vmras: |^qemu-system|vmras-test: (touch|alive|victim status|bench)|error_type|physical_address|GHES|HEST' "$_t" |
		grep -v '^klog: ' | sed "s/^/KEY $SCEN $V console: /"
	sed "s/^/KEY $SCEN $V qmp: /" "$QMPLOG"
	sed "s/^/KEY $SCEN $V poison: /" "$logs/$N.poison"
	dump "$N" "$_t"
	dump "$N.qmp" "$QMPLOG"
}

scenario_ao() { # VMM
	mf_start ao "$1"
	if ! wait_for 'vmras-test: waiting for go' "$timeout" || ! wait_for 'pageholder: early pid=' 20; then
		echo "MF ao $1 failed: the guest did not get its page holder ready"
		kill "$VM_PID"; mf_end; dump "$N" "$logs/$N.txt"; rc=1; return
	fi
	gpa=$(field early gpa) pfn=$(field early pfn)
	t0=$(now_ms)
	do_poison "$gpa" || { echo "MF ao $1 failed: $(cat "$logs/$N.poison")"; kill "$VM_PID"; mf_end; rc=1; return; }
	t1=
	# The guest isolates the page (or, under a VMM that does not tell it, nothing happens).
	wait_for "Memory failure: $pfn: .*Recovered" 60 && t1=$(now_ms)
	wait_for 'pageholder: early SIGBUS' 5
	sleep 2
	vm_send go
	mf_end
	mf_report 5 early "$t0" "$t1" "$pfn" 'Hardware error from APEI'
}

scenario_ar() { # VMM
	if [ "$1" = vmras ]; then mf_start ar "$1" --early-kill off; else mf_start ar "$1"; fi
	if ! wait_for 'vmras-test: waiting for go' "$timeout" || ! wait_for 'pageholder: bystander pid=' 20; then
		echo "MF ar $1 failed: the guest did not get its page holders ready"
		kill "$VM_PID"; mf_end; dump "$N" "$logs/$N.txt"; rc=1; return
	fi
	gpa=$(field victim gpa) pfn=$(field victim pfn)
	t0=$(now_ms)
	do_poison "$gpa" || { echo "MF ar $1 failed: $(cat "$logs/$N.poison")"; kill "$VM_PID"; mf_end; rc=1; return; }
	vm_send go
	t1=
	wait_for "Memory failure: $pfn: .*Recovered" 60 && t1=$(now_ms)
	mf_end
	mf_report 4 victim "$t0" "$t1" "$pfn" '\] vmras-test: touch'
}
vm_send() { printf '%s\n' "$1" >&3; }

for v in $vmms; do scenario_ao "$v"; done
for v in $vmms; do scenario_ar "$v"; done
exit $rc
