#!/bin/sh
# Runs inside the x86 lab (lab/run), started by bench/disk-io. POSIX sh
# (busybox ash in the TCG test host). Uses the lab tests' helpers
# (tests/lab/inside: lib.sh, linux-lib.sh: vm_start, vm_wait_for,
# console_text, vm_finish).
#
# BENCH_REPS rounds; in each, every VMM boots the lab's guest once with a
# virtio-blk disk, a fresh copy of the same raw image on a tmpfs of the test
# host, and the guest (disk-io-guest.sh) runs tests/guest/diskio on /dev/vda:
# seq-write, seq-read (1 MiB blocks), rand-write, rand-read (4 KiB, queue
# depth 1), each for BENCH_PHASE_MS ms over the first BENCH_SPAN_MIB MiB. The
# order of the VMMs alternates from round to round.
#   vmras  --disk IMAGE (virtio-blk over virtio-mmio, ACPI LNRO0005)
#   qemu   QEMU 7.2 (BENCH_QEMU), -M BENCH_QEMU_MACHINE: microvm (virtio-blk-device
#          on virtio-mmio, modern: virtio-mmio.force-legacy=false; ACPI
#          LNRO0005) or q35 (virtio-blk-pci); -drive cache=writeback,aio=threads
#          (QEMU's defaults, written out)
# Prints "OUT ..." lines (the summary bench/disk-io shows) and progress.
#
# Environment: BENCH_LABLIB (tests/lab/inside), BENCH_STAGE (guest.cpio),
# BENCH_QEMU (the QEMU bundle; unset: vmras alone), BENCH_QEMU_MACHINE,
# BENCH_VMMS ("vmras qemu"), BENCH_REPS, BENCH_PHASE_MS, BENCH_SPAN_MIB,
# BENCH_IMAGE_MIB, BENCH_MEMORY (MiB), BENCH_DUMP_LOGS=1; from the lab:
# VMRAS_GUEST_KERNEL, VMRAS_GUEST_INITRD.
. "$BENCH_LABLIB/lib.sh"
. "$BENCH_LABLIB/linux-lib.sh"
linux_setup "$BENCH_STAGE/guest.cpio"
mem=${BENCH_MEMORY:-256}
reps=${BENCH_REPS:-6}
phase_ms=${BENCH_PHASE_MS:-3000}
span=${BENCH_SPAN_MIB:-64}
image_mib=${BENCH_IMAGE_MIB:-$span}
machine=${BENCH_QEMU_MACHINE:-microvm}
vmms=${BENCH_VMMS:-vmras qemu}
[ -n "${BENCH_QEMU:-}" ] || vmms=$(echo " $vmms " | sed 's/ qemu / /')
# A guest boot and its four phases: boot and power-off take tens of seconds
# nested under TCG.
GUEST_TIMEOUT=$((240 + 12 * phase_ms / 1000))
rc=0

out() { echo "OUT $*"; }
dump() { # NAME FILE
	[ "${BENCH_DUMP_LOGS:-0}" = 1 ] || return 0
	echo "LOG-BEGIN $1"
	cat "$2"
	echo "LOG-END $1"
}

# The images live on a tmpfs of their own: RAM, like the rest of the test
# host, and page cache for both VMMs' buffered I/O.
DISK=$LOGS/disk
mkdir -p "$DISK"
mount -t tmpfs -o "size=$((image_mib * 3 + 16))m" tmpfs "$DISK" ||
	{ echo "cannot mount a tmpfs for the images"; exit 1; }
# The one raw image every boot starts from: zeros, every block allocated (a
# hole would read faster than data).
dd if=/dev/zero of="$DISK/base.img" bs=1M count="$image_mib" 2>/dev/null ||
	{ echo "cannot write the base image"; exit 1; }

# A fresh copy of the base image for one boot (dd: no holes).
fresh_image() { # PATH
	rm -f "$DISK"/run-*.img
	dd if="$DISK/base.img" of="$1" bs=1M 2>/dev/null
}

# QEMU as vm_start starts vmras (the same FIFO, console log and watchdog, so
# that vm_wait_for and vm_finish serve both), with the disk.
qemu_start() { # NAME IMAGE
	VM=$1
	_b64=$(printf '. /vmras/%s\n' disk-io-guest.sh | base64 | tr -d '\n')
	case $machine in
	microvm)
		# Modern virtio-mmio (version 2) as vmras offers it; QEMU's
		# virtio-mmio is legacy (version 1) unless told.
		_m="-M microvm -global virtio-mmio.force-legacy=false"
		_dev=virtio-blk-device ;;
	*)
		_m="-M $machine"
		_dev=virtio-blk-pci ;;
	esac
	rm -f "$LOGS/$VM.in" "$LOGS/$VM.timedout"
	mkfifo "$LOGS/$VM.in"
	say "boot $VM: qemu $_m -device $_dev"
	# shellcheck disable=SC2086 # _m is words
	"$BENCH_QEMU/qemu" -enable-kvm -cpu host $_m -m "$mem" -smp 1 -nodefaults -no-user-config \
		-display none -no-reboot -serial stdio -kernel "$VMRAS_GUEST_KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0 quiet vmras.run=$_b64 $VM_APPEND" \
		-drive "id=disk0,file=$2,format=raw,if=none,cache=writeback,aio=threads" -device "$_dev,drive=disk0" \
		<"$LOGS/$VM.in" >"$LOGS/$VM.log" 2>&1 &
	# shellcheck disable=SC2034 # linux-lib.sh's vm_* read VM_PID and VM_START
	VM_PID=$!
	exec 3>"$LOGS/$VM.in"
	# shellcheck disable=SC2034 # vm_end reads it
	VM_START=$(date +%s)
	vm_watchdog
}

# One boot of VMM in round REP: "RES VMM REP PHASE MBPS IOPS MED_US P99_US"
# lines appended to $LOGS/results.
one_boot() { # VMM REP
	n=$1-$2
	img=$DISK/run-$n.img
	fresh_image "$img" || { out "$n: cannot copy the image"; rc=1; return; }
	VM_APPEND="vmras.dio=$phase_ms,$span"
	if [ "$1" = vmras ]; then
		vm_start "$n" disk-io-guest.sh host --cpus 1 --memory "${mem}M" --disk "$img"
	else
		qemu_start "$n" "$img"
	fi
	vm_wait_for '^vmras-test: diskio status' "$GUEST_TIMEOUT"
	vm_finish 60
	vm_rc=$?
	st=$(console_text "$n" | sed -n 's/^vmras-test: diskio status //p' | tail -n1)
	if [ "$st" != 0 ]; then
		out "$n: failed: the guest's diskio status '${st:-none}', VMM exit status $vm_rc"
		console_text "$n" | grep -E '^(vmras-test|diskio|vmras|qemu)' | tail -n 12 | sed "s/^/OUT   $n: /"
		[ -n "$st" ] || console_text "$n" | tail -n 12 | sed "s/^/OUT   $n console: /"
		rc=1
	fi
	[ "$2" = 1 ] && console_text "$n" | sed -n 's/^vmras-test: vda /OUT '"$1"' guest sees vda: /p' | head -n1
	console_text "$n" | sed -n "s/^vmras-test: requests \([a-z-]*\) ios=\([0-9]*\) reads=\([0-9]*\) writes=\([0-9]*\) irqs=\([0-9]*\)$/REQ $1 \1 \2 \3 \4 \5/p" >>"$LOGS/requests"
	[ "$2" = 1 ] && console_text "$n" | sed -n "s/^vmras-test: interrupts  *[0-9]*: *[0-9]* */OUT $1 guest's interrupt: /p" | head -n 2
	console_text "$n" | sed -n 's/^vmras-test: vda .* features=\([^ ]*\) .*/\1/p' | head -n1 | tr , '\n' >"$LOGS/features.$1"
	console_text "$n" | sed -n "s/^diskio: \([a-z-]*\) .* mbps=\([^ ]*\) iops=\([^ ]*\) lat_med_us=\([^ ]*\) lat_p99_us=\([^ ]*\).*/RES $1 $2 \1 \2 \3 \4 \5/p" >>"$LOGS/results"
	dump "$n.log" "$LOGS/$n.txt"
}

echo "INFO host: $(uname -r), $(nproc) CPUs, $(awk '/^MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo) (lab ${VMRAS_LAB_HOST:-?})"
out "host (the lab's test host): $(uname -r), $(nproc) CPU(s), vendor $(host_vendor); guest: $(basename "$VMRAS_GUEST_KERNEL"), 1 vCPU, $mem MiB"
out "vmras: $(vmras --version 2>&1 | head -n1)"
[ -n "${BENCH_QEMU:-}" ] && out "qemu: $(cat "$BENCH_QEMU/version") -M $machine"
out "image: raw, $image_mib MiB, a fresh copy per boot on a tmpfs of the test host ($(df -h "$DISK" | awk 'NR == 2 { print $2 }'))"

: >"$LOGS/results"
: >"$LOGS/requests"
i=1
while [ $i -le "$reps" ]; do
	# Alternate the order: round 1 vmras first, round 2 the other first, ...
	order=$vmms
	[ $((i % 2)) = 0 ] && order=$(echo "$vmms" | awk '{ for (k = NF; k >= 1; k--) printf "%s%s", $k, (k > 1 ? " " : "") }')
	for v in $order; do
		one_boot "$v" "$i"
		say "  round $i $v: $(grep "^RES $v $i " "$LOGS/results" | awk '{ printf "%s %s MB/s %s IOPS; ", $4, $5, $6 }')"
	done
	i=$((i + 1))
done

out ""
out "-- per VMM: the median over the rounds [every round] --"
awk -v vmms="$vmms" -v reps="$reps" '
function median(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# The median over the rounds of field F of VMM v, phase p; the rounds in ALL.
function over_rounds(v, p, f,   r, c, a) {
	c = 0; ALL = ""
	for (r = 1; r <= reps; r++)
		if ((v, p, r) in got) { a[++c] = val[v, p, r, f]; ALL = ALL (c > 1 ? " " : "") val[v, p, r, f] }
	return c ? median(a, c) : -1
}
/^RES / {
	v = $2; r = $3; p = $4
	got[v, p, r] = 1
	val[v, p, r, "mbps"] = $5; val[v, p, r, "iops"] = $6; val[v, p, r, "med"] = $7; val[v, p, r, "p99"] = $8
}
END {
	nv = split(vmms, V, " ")
	np = split("seq-write seq-read rand-write rand-read", P, " ")
	for (k = 1; k <= np; k++) {
		p = P[k]
		t = p ~ /^seq/ ? "mbps" : "iops"
		for (x = 1; x <= nv; x++) {
			v = V[x]
			M[v, p, "med"] = over_rounds(v, p, "med")
			M[v, p, "p99"] = over_rounds(v, p, "p99")
			M[v, p, t] = over_rounds(v, p, t)
			if (M[v, p, t] < 0) { printf "OUT %-6s %-10s no result\n", v, p; continue }
			have[v, p] = 1
			if (t == "mbps")
				printf "OUT %-6s %-10s %8.2f MB/s [%s]  latency of a 1 MiB I/O: median %.0f us, p99 %.0f us\n",
					v, p, M[v, p, t], ALL, M[v, p, "med"], M[v, p, "p99"]
			else
				printf "OUT %-6s %-10s %8.1f IOPS [%s]  latency: median %.0f us, p99 %.0f us\n",
					v, p, M[v, p, t], ALL, M[v, p, "med"], M[v, p, "p99"]
		}
	}
	if (vmms !~ /vmras/ || vmms !~ /qemu/) exit
	printf "OUT \n"
	printf "OUT -- ratios vmras/QEMU: throughput (MB/s, IOPS) higher is better for vmras; latency lower is better for vmras --\n"
	printf "OUT    of the medians over the rounds; [each round: vmras/QEMU of that round, the two boots next to each other in time]\n"
	for (k = 1; k <= np; k++) {
		p = P[k]
		t = p ~ /^seq/ ? "mbps" : "iops"
		if (!have["vmras", p] || !have["qemu", p]) { printf "OUT ratio %-10s n/a (a VMM has no result)\n", p; continue }
		per = ""; c = 0
		delete a
		for (r = 1; r <= reps; r++)
			if (("vmras", p, r) in got && ("qemu", p, r) in got && val["qemu", p, r, t] > 0) {
				a[++c] = val["vmras", p, r, t] / val["qemu", p, r, t]
				per = per (c > 1 ? " " : "") sprintf("%.2f", a[c])
			}
		printf "OUT ratio %-10s %s %.2f [%s; their median %.2f]   latency: median %.2f, p99 %.2f\n", p,
			(t == "mbps" ? "MB/s" : "IOPS"), (M["qemu", p, t] > 0 ? M["vmras", p, t] / M["qemu", p, t] : 0),
			per, (c ? median(a, c) : 0),
			(M["qemu", p, "med"] > 0 ? M["vmras", p, "med"] / M["qemu", p, "med"] : 0),
			(M["qemu", p, "p99"] > 0 ? M["vmras", p, "p99"] / M["qemu", p, "p99"] : 0)
	}
}' "$LOGS/results"
# Requests the device served, and interrupts it raised, per guest I/O, over
# every round.
out ""
awk -v vmms="$vmms" '
/^REQ / { ios[$2, $3] += $4; req[$2, $3] += $5 + $6; irq[$2, $3] += $7 }
function per(a, v, p) { return ios[v, p] ? sprintf("%.2f", a[v, p] / ios[v, p]) : "-" }
END {
	nv = split(vmms, V, " ")
	np = split("seq-write seq-read rand-write rand-read", P, " ")
	for (x = 1; x <= nv; x++) {
		line = ""
		for (k = 1; k <= np; k++)
			line = line sprintf(" %s %s/%s", P[k], per(req, V[x], P[k]), per(irq, V[x], P[k]))
		printf "OUT per guest I/O, device requests/interrupts, %-5s:%s\n", V[x], line
	}
}' "$LOGS/requests"
# Features one guest driver accepted and the other did not (EVENT_IDX, for
# one, saves notifications and interrupts).
if [ -s "$LOGS/features.vmras" ] && [ -s "$LOGS/features.qemu" ]; then
	out ""
	out "virtio features the guest accepted only from vmras: $(grep -vxF -f "$LOGS/features.qemu" "$LOGS/features.vmras" | tr '\n' ' ' | grep . || echo none)"
	out "virtio features the guest accepted only from QEMU: $(grep -vxF -f "$LOGS/features.vmras" "$LOGS/features.qemu" | tr '\n' ' ' | grep . || echo none)"
fi
umount "$DISK" 2>/dev/null
echo "---- failures: $FAILS ----"
[ "$FAILS" = 0 ] || rc=1
exit $rc
