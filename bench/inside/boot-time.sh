#!/bin/sh
# Runs inside the lab (lab/run), started by bench/boot-time: boots the lab guest
# under each VMM in turn, BENCH_RUNS times, and prints for each boot
#   RESULT VMM RUN MARKER_MS EXIT_MS STATUS MAXRSS_KB
# (from time-to-marker; MARKER_MS is "-" when the guest did not reach init).
# POSIX sh: busybox ash in the TCG test host, /bin/sh in direct mode.
#
# Environment: BENCH_VMMS (e.g. "vmras qemu kvmtool"), BENCH_RUNS, BENCH_WARMUP
# (untimed boots first, under the first VMM: default 1), BENCH_CPUS,
# BENCH_MEMORY (MiB), BENCH_TIMEOUT (s), BENCH_QEMU (the QEMU bundle folder),
# BENCH_QEMU_MACHINE, BENCH_LKVM (a static lkvm), BENCH_DUMP_LOGS=1 (print each
# console log between "LOG-BEGIN NAME" and "LOG-END NAME" lines); from the lab:
# VMRAS_GUEST_KERNEL, VMRAS_GUEST_INITRD.

runs=${BENCH_RUNS:-3}
cpus=${BENCH_CPUS:-1}
mem=${BENCH_MEMORY:-512}
timeout=${BENCH_TIMEOUT:-300}
vmms=${BENCH_VMMS:-vmras}
kernel=$VMRAS_GUEST_KERNEL
initrd=$VMRAS_GUEST_INITRD
# After init: wait this long for the guest's power-off to end the VMM.
grace=60

# The same guest command line for every VMM (kvmtool adds what it needs, below).
# The script run by init is "true", after which init powers off.
run="quiet vmras.run=$(echo true | base64)"
cmdline="console=ttyS0 $run"
# kvmtool's x86 guests need noapic (without it this kernel oopses in
# setup_IO_APIC) and pci=conf1 (or they find no PCI): both are in the command
# line kvmtool adds by default, which --nodefaults leaves out. kvmtool offers
# x86 guests no way to power off (no ACPI): it is stopped once the guest halts.
kvmtool_extra="noapic pci=conf1"
kvmtool_console=ttyS0
kvmtool_stop="reboot: System halted"
# arm64: vmras's console is the PL011 (ttyAMA0), kvmtool's a 16550 on MMIO
# (ttyS0); both power off through PSCI.
if [ "$(uname -m)" = aarch64 ]; then
	cmdline="console=ttyAMA0 $run"
	kvmtool_extra=
	kvmtool_stop=
fi

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# Boots the guest under VMM once, through time-to-marker: boot VMM LOG
boot() {
	out=$2 stop=
	case $1 in
	vmras)
		# A direct kernel boot, as kvmtool's: on arm64 no UEFI first.
		set -- vmras --firmware none --kernel "$kernel" --initrd "$initrd" --cpus "$cpus" --memory "${mem}M" \
			--append "$cmdline" ;;
	qemu)
		set -- "$BENCH_QEMU/qemu" -enable-kvm -cpu host -M "${BENCH_QEMU_MACHINE:-q35}" \
			-m "$mem" -smp "$cpus" -nodefaults -no-user-config -display none -no-reboot \
			-serial stdio -kernel "$kernel" -initrd "$initrd" -append "$cmdline" ;;
	kvmtool)
		# No network device (kvmtool adds one by default).
		stop=$kvmtool_stop
		set -- "$BENCH_LKVM" run --nodefaults --console serial --network mode=none \
			-k "$kernel" -i "$initrd" -m "$mem" -c "$cpus" -p "console=$kvmtool_console $run $kvmtool_extra" ;;
	esac
	if [ -n "$stop" ]; then
		time-to-marker --timeout "$timeout" --grace "$grace" --output "$out" --stop-at "$stop" -- "$@"
	else
		time-to-marker --timeout "$timeout" --grace "$grace" --output "$out" -- "$@"
	fi
}

echo "INFO host: $(uname -r), $(nproc) CPUs, $(awk '/^MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo) (lab ${VMRAS_LAB_HOST:-?})"
echo "INFO guest: $(basename "$kernel"), $(basename "$initrd"), $cpus vCPU(s), $mem MiB, cmdline: $cmdline"
for v in $vmms; do
	case $v in
	vmras) echo "INFO vmras: $(vmras --version 2>&1 | head -n1)" ;;
	qemu) echo "INFO qemu: $("$BENCH_QEMU/qemu" --version 2>&1 | head -n1), -M ${BENCH_QEMU_MACHINE:-q35}" ;;
	kvmtool) echo "INFO kvmtool: $("$BENCH_LKVM" version 2>&1 | head -n1) ${BENCH_KVMTOOL_REV:+(${BENCH_KVMTOOL_REV%% *}) }--nodefaults, console=$kvmtool_console${kvmtool_extra:+, + \"$kvmtool_extra\"}${kvmtool_stop:+; stopped once the guest halts (no power-off)}" ;;
	esac
done

# The first boot in a fresh test host is slower (its memory is touched for the
# first time, KVM sets up): an untimed boot first.
w=1
first=${vmms%% *}
while [ "$w" -le "${BENCH_WARMUP:-1}" ]; do
	res=$(boot "$first" "$logs/warmup.log" 2>"$logs/err")
	echo "INFO warm-up boot $w under $first (not counted): ${res%% exit_ms=*}"
	w=$((w + 1))
done

rc=0
r=1
while [ "$r" -le "$runs" ]; do
	# Rotate the order each round, so that no VMM always goes first.
	order=$vmms
	i=1
	while [ "$i" -lt "$r" ]; do
		first=${order%% *}
		[ "$first" = "$order" ] || order="${order#* } $first"
		i=$((i + 1))
	done
	for v in $order; do
		log="$logs/$v-$r.log"
		res=$(boot "$v" "$log" 2>"$logs/err")
		st=$?
		# shellcheck disable=SC2086 # split the key=value words
		set -- $res
		marker=${1#marker_ms=} exit_ms=${2#exit_ms=} status=${3#status=} rss=${4#maxrss_kb=}
		[ -n "$marker" ] || marker=-
		[ "$st" = 0 ] || marker=-
		echo "RESULT $v $r $marker ${exit_ms:--} ${status:-?} ${rss:-0}"
		if [ "$st" != 0 ]; then
			rc=1
			echo "FAIL $v $r: time-to-marker exit $st"
			sed 's/^/    /' "$logs/err"
		elif ! tr -d '\r' <"$log" | grep -q '^vmras-guest: exit 0'; then
			echo "NOTE $v $r: the guest did not report 'vmras-guest: exit 0' after init"
		fi
		if [ "${BENCH_DUMP_LOGS:-0}" = 1 ]; then
			echo "LOG-BEGIN $v-$r"
			tr -d '\r' <"$log"
			echo "LOG-END $v-$r"
		fi
	done
	r=$((r + 1))
done
exit $rc
