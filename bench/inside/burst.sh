#!/bin/sh
# Runs inside the x86 lab (lab/run), started by bench/burst. POSIX sh (busybox
# ash in the TCG test host). Uses the lab tests' helpers (tests/lab/inside:
# lib.sh, linux-lib.sh: vm_start, vm_wait_for, console_text, vm_finish).
#   burst    vmras runs a Linux guest whose late-kill holder dirties
#            BENCH_PAGES pages; vmras-poison writes the host frames behind all
#            of them to hwpoison_inject's corrupt-pfn back to back (vmras has
#            early kill on: action optional). Counts what the host kernel
#            poisoned, what vmras recorded (query-memory-failures), what it
#            told the guest (its events, query-ras-stats when vmras has it) and
#            what the guest isolated (HardwareCorrupted, "Memory failure:"),
#            the time from the first write to the last MEMORY_FAILURE event,
#            and the deepest GHES queue.
#   latency  vmras, then QEMU 7.2 (q35, -enable-kvm): the guest's holder
#            dirties BENCH_SAMPLES pages; each is poisoned alone and the next
#            only once the MEMORY_FAILURE event of the last has reached a QMP
#            client (vmras-ctl --timestamps events). A sample is the time from
#            just before the frame's write to corrupt-pfn (vmras-poison
#            --timestamps) to the event's arrival at the client, both
#            CLOCK_REALTIME of the test host.
# Prints "OUT ..." lines (the summary bench/burst shows) and progress.
#
# Environment: BENCH_LABLIB (tests/lab/inside), BENCH_STAGE (guest.cpio),
# BENCH_QEMU (the QEMU bundle), BENCH_PARTS ("burst latency"), BENCH_PAGES,
# BENCH_SAMPLES, BENCH_MEMORY (MiB), BENCH_CPUS (burst guest vCPUs),
# BENCH_VENDOR (latency guest: host or intel), BENCH_SETTLE (s without a new
# event that end the burst), BENCH_DRAIN (s to wait at most for
# query-ras-stats to say every page was told), BENCH_DUMP_LOGS=1; from the lab:
# VMRAS_GUEST_KERNEL, VMRAS_GUEST_INITRD.
. "$BENCH_LABLIB/lib.sh"
. "$BENCH_LABLIB/linux-lib.sh"
linux_setup "$BENCH_STAGE/guest.cpio"
mem=${BENCH_MEMORY:-512}
pages=${BENCH_PAGES:-10000}
samples=${BENCH_SAMPLES:-20}
vendor=${BENCH_VENDOR:-intel}
settle=${BENCH_SETTLE:-15}
rc=0

out() { echo "OUT $*"; }
# SECONDS.NANOSECONDS B minus A, in ms (two decimals); "-" if either is missing.
ms_between() { # A B
	[ -n "$1" ] && [ -n "$2" ] || { echo -; return; }
	echo "$1 $2" | awk '{
		split($1, a, "."); split($2, b, ".")
		# A "1" before the nine digits: busybox awk reads a number with a
		# leading 0 as octal.
		printf "%.2f", (b[1] - a[1]) * 1000 + (("1" substr(b[2] "000000000", 1, 9)) - ("1" substr(a[2] "000000000", 1, 9))) / 1e6 }'
}
kernel_corrupted_kb() { sed -n 's/^HardwareCorrupted: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
mf_lines() { grep '"event":"MEMORY_FAILURE"' "$1" 2>/dev/null; }
mf_count() { mf_lines "$1" | wc -l; }
dump() { # NAME FILE
	[ "${BENCH_DUMP_LOGS:-0}" = 1 ] || return 0
	echo "LOG-BEGIN $1"
	cat "$2"
	echo "LOG-END $1"
}

# The holder's addresses once it has listed WANT of them (S seconds at most),
# into FILE; prints how many it found.
holder_gpas() { # NAME WANT S FILE
	_k=$(($3 * 2))
	while :; do
		console_text "$1" | sed -n 's/^pageholder: hold gpas //p' | tr ' ' '\n' | grep . | head -n "$2" >"$4"
		_got=$(wc -l <"$4")
		[ "$_got" -lt "$2" ] && [ $_k -gt 0 ] && vm_alive || break
		sleep 0.5
		_k=$((_k - 1))
	done
	echo "$_got"
}

# QEMU as vm_start starts vmras (the same FIFO, console log and watchdog, so
# that vm_wait_for, vm_send and vm_finish serve both), with a QMP socket.
qemu_start() { # NAME GUEST-SCRIPT VENDOR
	VM=$1
	_b64=$(printf '. /vmras/%s\n' "$2" | base64 | tr -d '\n')
	_cpu=host
	# A foreign vendor's guest must not use KVM's PV hypercalls (see
	# linux-lib.sh's check_facts); vmras's --cpu-vendor hides them too.
	[ "$3" = intel ] && _cpu=host,vendor=GenuineIntel,kvm-pv-ipi=off,kvm-pv-unhalt=off,kvm-pv-sched-yield=off
	rm -f "$LOGS/$VM.in" "$LOGS/$VM.timedout"
	mkfifo "$LOGS/$VM.in"
	say "boot $VM: qemu -cpu $_cpu"
	"$BENCH_QEMU/qemu" -enable-kvm -cpu "$_cpu" -M q35 -m "$mem" -smp 1 -nodefaults -no-user-config \
		-display none -no-reboot -serial stdio -kernel "$VMRAS_GUEST_KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0 quiet vmras.run=$_b64 $VM_APPEND" -qmp "unix:$LOGS/$VM.qmp,server=on,wait=off" \
		<"$LOGS/$VM.in" >"$LOGS/$VM.log" 2>&1 &
	VM_PID=$!
	exec 3>"$LOGS/$VM.in"
	# shellcheck disable=SC2034 # linux-lib.sh's vm_end reads both
	VM_START=$(date +%s)
	vm_watchdog
}

# QEMU's guest RAM for vmras-poison --ram: one anonymous private mapping of
# exactly the RAM size, GPA 0 at its start (q35 puts all of it below 4 GiB
# when it is this small).
qemu_ram() { # PID
	_size=$((mem * 1024 * 1024))
	_found=
	while read -r _range _perm _off _dev _ino _path; do
		[ -z "$_path" ] && [ "$_perm" = rw-p ] || continue
		_s=${_range%-*} _e=${_range#*-}
		[ $((0x$_e - 0x$_s)) = "$_size" ] || continue
		[ -z "$_found" ] || { echo "two anonymous mappings of $_size bytes in QEMU" >&2; return 1; }
		_found="0:0x$_s:$_size"
	done <"/proc/$1/maps"
	[ -n "$_found" ] && echo "$_found"
}

# Follows the QMP events of VM into NAME.client, timestamped on arrival.
follow() { # NAME
	_t=100
	while [ ! -S "$LOGS/$1.qmp" ] && [ $_t -gt 0 ]; do sleep 0.1; _t=$((_t - 1)); done
	vmras-ctl --timestamps --socket "$LOGS/$1.qmp" events >"$LOGS/$1.client" 2>&1 &
	FOLLOWER=$!
	sleep 0.5
}
unfollow() {
	kill "$FOLLOWER" 2>/dev/null
	wait "$FOLLOWER" 2>/dev/null
}

# The guest's closing report (after "go"): "KEY=VALUE ..." of its report line.
guest_report() { # NAME
	console_text "$1" | sed -n 's/^vmras-test: report //p' | tail -n 1
}
kv() { # LINE KEY
	echo " $1" | sed -n "s/.* $2=\([^ ]*\).*/\1/p"
}
# How the guest ended: lived, panicked, or the VMM died.
guest_outcome() { # NAME VMM_RC
	_t=$LOGS/$1.txt
	if grep -q 'Kernel panic' "$_t"; then
		echo "guest panicked: $(grep -m1 'Kernel panic' "$_t" | sed 's/^\[ *[0-9.]*\] //')"
	elif grep -q '^vmras: guest panicked' "$_t"; then
		# A quiet console shows no panic message: vmras's pvpanic line says it.
		_w=after
		grep -q '^vmras-test: holder status' "$_t" && _w="after its script had reported (the holder had exited, freeing its pages)"
		echo "guest panicked $_w: $(grep -m1 '^vmras: guest panicked' "$_t");" \
			"$(grep -c '^vmras: memory failure: .*action required' "$_t") action-required report(s) first:" \
			"$(grep -m1 '^vmras: memory failure: .*action required' "$_t")"
	elif grep -q '^vmras-test: holder status' "$_t" && grep -q '^vmras-guest: exit 0' "$_t"; then
		echo "guest lived (its script ended, exit status of the VMM $2)"
	else
		echo "guest did not finish its script (VMM exit status $2)"
	fi
}

echo "INFO host: $(uname -r), $(nproc) CPUs, $(awk '/^MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo) (lab ${VMRAS_LAB_HOST:-?})"
out "host (the lab's test host): $(uname -r), $(nproc) CPU(s), vendor $(host_vendor); guest: $(basename "$VMRAS_GUEST_KERNEL"), $mem MiB"
out "vmras: $(vmras --version 2>&1 | head -n1)"

# ------------------------------------------------------------------ burst
burst() {
	n=burst
	GUEST_TIMEOUT=${BENCH_BURST_TIMEOUT:-2000}
	# Every Memory failure line stays in the guest's log, none on the console
	# (a slow 16550 under nested KVM in TCG would pace the guest).
	VM_APPEND="loglevel=1 log_buf_len=16M vmras.pages=$pages"
	vm_start "$n" burst-guest.sh host --cpus "${BENCH_CPUS:-1}" --memory "${mem}M" --qmp "unix:$LOGS/$n.qmp"
	if ! vm_wait_for '^vmras-test: waiting for go' 300; then
		vm_kill
		out "burst: failed: the guest did not get to its holder (see the log)"
		show "$n"
		rc=1
		return
	fi
	got=$(holder_gpas "$n" "$pages" 600 "$LOGS/$n.gpas")
	if [ "$got" != "$pages" ]; then
		vm_kill
		out "burst: failed: the holder listed $got of $pages pages"
		show "$n"
		rc=1
		return
	fi
	say "  $n: the holder lists its $pages pages; poisoning them"
	follow "$n"
	kb0=$(kernel_corrupted_kb)
	# shellcheck disable=SC2046 # one word per address
	vmras-poison --timestamps "$VM_PID" $(cat "$LOGS/$n.gpas") >"$LOGS/$n.poison" 2>&1 || {
		out "burst: vmras-poison failed: $(grep -v '^vmras-poison: poisoned' "$LOGS/$n.poison" | tail -n 2 | tr '\n' ' ')"
		rc=1
	}
	kb1=$(kernel_corrupted_kb)
	written=$(grep -c '^vmras-poison: poisoned' "$LOGS/$n.poison")
	t_first=$(grep '^vmras-poison: poisoned' "$LOGS/$n.poison" | head -n1 | sed -n 's/.* at \([0-9.]*\)$/\1/p')
	t_lastw=$(grep '^vmras-poison: poisoned' "$LOGS/$n.poison" | tail -n1 | sed -n 's/.* at \([0-9.]*\)$/\1/p')
	say "  $n: $written frames written in $(ms_between "$t_first" "$t_lastw") ms; waiting for the events to stop (${settle} s quiet)"
	# The burst is over once no event has come for $settle s (600 s at most).
	prev=-1 quiet=0 waited=0
	while vm_alive && [ $quiet -lt "$settle" ] && [ $waited -lt 600 ]; do
		c=$(mf_count "$LOGS/$n.events")
		if [ "$c" = "$prev" ]; then quiet=$((quiet + 1)); else quiet=0; prev=$c; fi
		sleep 1
		waited=$((waited + 1))
	done
	# A vmras with query-ras-stats may record every page at once and tell the
	# guest from a backlog as it acknowledges: wait until told-ghes + dropped
	# reaches pages (or stops growing for 60 s; BENCH_DRAIN s at most), so
	# that the guest's count is taken once it had every page it will get.
	drain=- told_at=-
	if vmras-ctl --socket "$LOGS/$n.qmp" query-ras-stats >"$LOGS/$n.stats" 2>&1; then
		say "  $n: query-ras-stats: $(cat "$LOGS/$n.stats"); waiting for the guest to be told every page"
		d0=$(date +%s) last=-1 still=0
		while vm_alive; do
			vmras-ctl --socket "$LOGS/$n.qmp" query-ras-stats >"$LOGS/$n.stats" 2>&1 || break
			told=$(sed -n 's/.*"told-ghes":\([0-9]*\).*/\1/p' "$LOGS/$n.stats")
			dr=$(sed -n 's/.*"dropped":\([0-9]*\).*/\1/p' "$LOGS/$n.stats")
			pg=$(sed -n 's/.*"pages":\([0-9]*\).*/\1/p' "$LOGS/$n.stats")
			[ $((told + dr)) -ge "$pg" ] && { told_at=$(date +%s).0; break; }
			if [ "$told" = "$last" ]; then still=$((still + 3)); else still=0 last=$told; fi
			[ $still -ge 60 ] || [ $(($(date +%s) - d0)) -ge "${BENCH_DRAIN:-900}" ] && break
			sleep 3
		done
		drain=$(($(date +%s) - d0))
		say "  $n: after ${drain} s: $(cat "$LOGS/$n.stats")"
	fi
	alive_after=yes
	vm_alive || alive_after=no
	vmras-ctl --socket "$LOGS/$n.qmp" query-memory-failures >"$LOGS/$n.query" 2>&1
	vmras-ctl --socket "$LOGS/$n.qmp" query-ras-stats >"$LOGS/$n.stats" 2>&1
	vm_send go
	vm_wait_for '^vmras-test: holder status' 300
	vm_finish 120
	vm_rc=$?
	unfollow

	# What vmras recorded: guest extents in the registry (4 KiB each here).
	recorded=$(awk '{ gsub(/\{"recipient"/, "\n&"); print }' "$LOGS/$n.query" | grep -c '"recipient":"guest"')
	grep -q '"return"' "$LOGS/$n.query" || recorded="n/a ($(head -c 200 "$LOGS/$n.query"))"
	ev=$(mf_count "$LOGS/$n.events")
	ev_client=$(mf_count "$LOGS/$n.client")
	ev_pages=$(mf_lines "$LOGS/$n.events" | sed -n 's/.*"guest-physical-address":\([0-9]*\).*/\1/p' | sort -u | wc -l)
	ev_inject=$(mf_lines "$LOGS/$n.events" | grep -c '"action":"inject"')
	g_notified=$(mf_lines "$LOGS/$n.events" | grep -c '"ghes":{[^}]*"delivery":"notified"')
	g_queued=$(mf_lines "$LOGS/$n.events" | grep -c '"ghes":{[^}]*"delivery":"queued"')
	g_dropped=$(mf_lines "$LOGS/$n.events" | grep -c '"ghes":{[^}]*"delivery":"dropped"')
	g_waiting=$(mf_lines "$LOGS/$n.events" | sed -n 's/.*"ghes":{[^}]*"waiting":\([0-9]*\).*/\1/p' | sort -n | tail -n1)
	mc_raised=$(mf_lines "$LOGS/$n.events" | grep -c '"delivery":"raised"')
	last_emit=$(mf_lines "$LOGS/$n.events" | tail -n1 |
		sed -n 's/.*"timestamp":{"seconds":\([0-9]*\),"microseconds":\([0-9]*\)}.*/\1 \2/p' |
		awk '{ printf "%d.%06d", $1, $2 }')
	last_arrival=$(mf_lines "$LOGS/$n.client" | tail -n1 | cut -d' ' -f1)
	rep=$(guest_report "$n")
	ckb=$(kv "$rep" corrupted_kb)
	told_guest=-
	[ -n "$ckb" ] && told_guest=$((ckb / 4))
	kpages=$(((kb1 - kb0) / 4))
	if grep -q CommandNotFound "$LOGS/$n.stats"; then
		stats="n/a (this vmras has no query-ras-stats: CommandNotFound)"
		st() { echo n/a; }
	elif grep -q '"return"' "$LOGS/$n.stats"; then
		stats=$(sed 's/^{"return"://; s/}$//' "$LOGS/$n.stats")
		st() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$LOGS/$n.stats"; }
	else
		stats="n/a (query-ras-stats: $(head -c 200 "$LOGS/$n.stats"))"
		st() { echo n/a; }
	fi
	lost_rec=-
	case $recorded in [0-9]*) lost_rec=$((kpages - recorded)) ;; esac
	lost_told=-
	[ "$told_guest" != - ] && lost_told=$((kpages - told_guest))
	backlog=${g_waiting:-0}
	[ "$(st ghes-backlog-max)" != n/a ] && [ -n "$(st ghes-backlog-max)" ] && backlog="$(st ghes-backlog-max) (query-ras-stats; events' largest ghes.waiting: ${g_waiting:-0})"

	out ""
	out "-- burst: $pages guest pages (dirty pages of a late-kill guest process) poisoned back to back, action optional, early kill on --"
	out "vmras: --cpus ${BENCH_CPUS:-1} --memory ${mem}M (defaults otherwise: --ras both, --early-kill on, the host's CPU vendor)"
	out "poisoned (host kernel: HardwareCorrupted +$((kb1 - kb0)) kB): $kpages pages; vmras-poison wrote $written frames in $(ms_between "$t_first" "$t_lastw") ms"
	out "recorded by vmras (query-memory-failures, guest entries): $recorded"
	out "MEMORY_FAILURE events: $ev in the event log ($ev_pages distinct pages, $ev_inject action inject), $ev_client at the QMP client"
	out "told to the guest, vmras's count: GHES records notified $g_notified, queued $g_queued, dropped $g_dropped; machine checks raised $mc_raised"
	out "query-ras-stats: $stats"
	out "told to the guest, the guest's count: HardwareCorrupted ${ckb:-?} kB = $told_guest pages; \"Memory failure:\" lines $(kv "$rep" mf_lines) (Recovered $(kv "$rep" recovered)); GHES records printed $(kv "$rep" ghes_records) (Linux rate-limits them); holder alive $(kv "$rep" holder_alive)"
	out "lost: poisoned - recorded = $lost_rec; poisoned - told (guest) = $lost_told"
	out "time from the first poison to the last MEMORY_FAILURE event: $(ms_between "$t_first" "$last_emit") ms (its timestamp), $(ms_between "$t_first" "$last_arrival") ms (its arrival at the QMP client)"
	out "deepest GHES queue: $backlog"
	if [ "$drain" != - ]; then
		case $told_at in
		-) out "every page told to the guest (query-ras-stats): no, by the end of a ${drain} s wait" ;;
		*) out "every page told to the guest (query-ras-stats told-ghes + dropped = pages): $(ms_between "$t_first" "$told_at") ms after the first poison (polled every 3 s, whole seconds)" ;;
		esac
	fi
	out "vmras alive after the burst: $alive_after; $(guest_outcome "$n" "$vm_rc")"
	# vmras's messages, addresses and counts masked, each kind once with how often.
	console_text "$n" | grep -E '^vmras: ' | sed 's/0x[0-9a-f]*/0x_/g; s/[0-9][0-9]*/N/g' | sort | uniq -c | sort -rn |
		head -n 8 | sed 's/^ *\([0-9]*\) /OUT   vmras said (\1 times): /'
	console_text "$n" | grep -E '^vmras-test: (first|last) klog' | sed 's/^/OUT   guest: /'
	dump "$n.log" "$LOGS/$n.txt"
	dump "$n.events" "$LOGS/$n.events"
}

# ------------------------------------------------------------------ latency
# One VMM: SAMPLE lines "SAMPLE VMM I GPA MS ACTION" (MS "-" when no event).
latency_vmm() { # VMM
	V=$1
	n=lat-$V
	GUEST_TIMEOUT=${BENCH_LAT_TIMEOUT:-900}
	VM_APPEND="panic=1 vmras.pages=$samples"
	i=1 boots=0 misses=0 unready=0 panics=0
	while [ $i -le "$samples" ] && [ $unready -lt 2 ]; do
		boots=$((boots + 1))
		nb=$n-$boots
		if [ "$V" = vmras ]; then
			vm_start "$nb" burst-guest.sh "$vendor" --cpus 1 --memory "${mem}M" --qmp "unix:$LOGS/$nb.qmp"
		else
			qemu_start "$nb" burst-guest.sh "$vendor"
		fi
		if ! vm_wait_for '^vmras-test: waiting for go' 300 || [ "$(holder_gpas "$nb" "$samples" 60 "$LOGS/$nb.gpas")" != "$samples" ]; then
			vm_kill
			console_text "$nb" | tail -n 5 | sed "s/^/OUT   $V: /"
			out "$V: the guest did not get its holder ready (boot $boots)"
			rc=1
			unready=$((unready + 1))
			continue
		fi
		[ $boots -le 2 ] && console_text "$nb" | grep '^vmras-test: vendor=' | head -n1 | sed "s/^vmras-test: /OUT $V guest sees: /"
		follow "$nb"
		ram=
		[ "$V" = qemu ] && { ram=$(qemu_ram "$VM_PID") || { out "$V: no RAM mapping of $mem MiB in its maps"; vm_kill; rc=1; break; }; }
		# Pages of this boot not yet used: the holder's, from the I-th on.
		k=$i
		while [ $i -le "$samples" ] && vm_alive; do
			gpa=$(sed -n "$((i - k + 1))p" "$LOGS/$nb.gpas")
			c=$(mf_count "$LOGS/$nb.client")
			if [ -n "$ram" ]; then
				vmras-poison --timestamps --ram "$ram" "$VM_PID" "$gpa" >"$LOGS/$nb.poison.$i" 2>&1
			else
				vmras-poison --timestamps "$VM_PID" "$gpa" >"$LOGS/$nb.poison.$i" 2>&1
			fi || { out "$V sample $i: vmras-poison failed: $(tail -n1 "$LOGS/$nb.poison.$i")"; i=$((i + 1)); continue; }
			t0=$(sed -n 's/.* at \([0-9.]*\)$/\1/p' "$LOGS/$nb.poison.$i")
			w=0
			while [ "$(mf_count "$LOGS/$nb.client")" -le "$c" ] && [ $w -lt 400 ] && vm_alive; do
				sleep 0.05
				w=$((w + 1))
			done
			line=$(mf_lines "$LOGS/$nb.client" | sed -n "$((c + 1))p")
			if [ -z "$line" ]; then
				echo "SAMPLE $V $i $gpa - $(vm_alive && echo no-event-in-20s || echo vmm-gone)"
				misses=$((misses + 1))
			else
				act=$(echo "$line" | sed -n 's/.*"action":"\([a-z]*\)".*/\1/p')
				# The event's own timestamp too (the VMM's clock reading when it sent it).
				ts=$(echo "$line" | sed -n 's/.*"timestamp":{"seconds":\([0-9]*\),"microseconds":\([0-9]*\)}.*/\1 \2/p' |
					awk '{ printf "%d.%06d", $1, $2 }')
				echo "SAMPLE $V $i $gpa $(ms_between "$t0" "${line%% *}") $act poison=$t0 arrival=${line%% *} sent=$ts"
			fi
			i=$((i + 1))
			[ $misses -ge 3 ] && break
			# The guest handles the report before the next one comes.
			sleep 1
			# A guest that panicked (or is gone) is booted again for the next page.
			console_text "$nb" | grep -q 'Kernel panic' && break
		done
		panicked=no
		console_text "$nb" | grep -q 'Kernel panic' && { panicked=yes; panics=$((panics + 1)); }
		if [ $panicked = yes ]; then
			vm_kill
		elif vm_alive; then
			vm_send go
			vm_wait_for '^vmras-test: holder status' 120
			vm_finish 120
		else
			vm_finish 5
		fi
		vm_rc=$?
		unfollow
		# The first two boots in full; then only what differs.
		if [ $boots -le 2 ] || [ $panicked = no ]; then
			out "$V boot $boots: $(guest_outcome "$nb" "$vm_rc"); events: $(mf_lines "$LOGS/$nb.client" | sed -n 's/.*"action":"\([a-z]*\)".*/\1/p' | sort | uniq -c | awk '{ printf "%s%d %s", (NR > 1 ? ", " : ""), $1, $2 }'); guest report: $(guest_report "$nb")"
			grep -E '^qemu-system|warning: Guest MCE|Kernel panic|mce: \[Hardware Error\]: (Machine check:|CPU)' "$LOGS/$nb.txt" | head -n 4 | sed "s/^/OUT   $V: /"
			mf_lines "$LOGS/$nb.client" | head -n1 | sed "s/^[0-9.]* /OUT   $V first event: /"
		fi
		dump "$nb.log" "$LOGS/$nb.txt"
		[ $misses -ge 3 ] && { out "$V: 3 pages without an event: no more samples"; break; }
		[ $i -le "$samples" ] && [ $boots -le 2 ] &&
			out "$V: the guest panicked or the VMM ended after $((i - 1)) samples: booting it again for the rest"
	done
	out "$V: $((i - 1)) pages poisoned over $boots boots; the guest panicked in $panics of them"
}

latency() {
	[ -n "${BENCH_QEMU:-}" ] || out "qemu: not bundled (see bench/burst's messages): vmras alone"
	: >"$LOGS/samples"
	for v in vmras ${BENCH_QEMU:+qemu}; do
		latency_vmm "$v" | tee -a "$LOGS/samples"
	done
	out ""
	out "-- latency: poison (the write to corrupt-pfn) -> MEMORY_FAILURE at a QMP client, $samples single pages, guest vendor $vendor --"
	awk -v samples="$samples" '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	# ms from SECONDS.NANOSECONDS x to y (see ms_between).
	function since(x, y,   a, b) {
		split(x, a, "."); split(y, b, ".")
		return (b[1] - a[1]) * 1000 + (("1" substr(b[2] "000000000", 1, 9)) - ("1" substr(a[2] "000000000", 1, 9))) / 1e6
	}
	/^SAMPLE / {
		v = $2
		all[v] = all[v] (all[v] == "" ? "" : " ") $5 ($6 != "inject" && $5 != "-" ? "(" $6 ")" : "")
		if ($5 == "-") { miss[v]++; next }
		# An event cannot arrive before its poison: a measuring error, left out.
		if ($5 + 0 < 0) { neg[v]++; next }
		n[v]++; t[v, n[v]] = $5
		# The timestamp the VMM put in the event (when it sent it, by its clock).
		p = $7; e = $9; sub(/^poison=/, "", p); sub(/^sent=/, "", e)
		if (e != "") { ns[v]++; u[v, ns[v]] = since(p, e) }
	}
	END {
		split("vmras qemu", order, " ")
		for (i = 1; i <= 2; i++) {
			v = order[i]
			if (!(v in all)) continue
			printf "OUT %-6s samples (ms): %s\n", v, all[v]
			if (!n[v]) { printf "OUT %-6s no event for any page\n", v; continue }
			delete a; for (k = 1; k <= n[v]; k++) a[k] = t[v, k]
			med[v] = median(a, n[v])
			printf "OUT %-6s median %.2f ms over %d samples%s%s\n", v, med[v], n[v], (miss[v] ? sprintf(" (%d pages without an event)", miss[v]) : ""),
				(neg[v] ? sprintf(" (%d negative sample(s) left out: an event cannot come before its poison)", neg[v]) : "")
			delete a; for (k = 1; k <= ns[v]; k++) a[k] = u[v, k]
			if (ns[v]) { sent[v] = median(a, ns[v]); printf "OUT %-6s median to the timestamp the VMM put in the event: %.2f ms\n", v, sent[v] }
		}
		if (n["vmras"] && n["qemu"] && med["qemu"] > 0)
			printf "OUT ratio vmras/QEMU of the medians: %.2f (lower is faster)%s\n", med["vmras"] / med["qemu"],
				(sent["qemu"] > 0 ? sprintf("; of the medians to the VMM timestamps in the events: %.2f", sent["vmras"] / sent["qemu"]) : "")
		else
			print "OUT ratio vmras/QEMU: n/a (a VMM has no sample)"
	}' "$LOGS/samples"
}

for p in ${BENCH_PARTS:-burst latency}; do
	$p
done
echo "---- failures: $FAILS ----"
[ "$FAILS" = 0 ] || rc=1
exit $rc
