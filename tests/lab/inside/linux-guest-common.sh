# Sourced by the guest side of the Linux memory-failure tests (linux-guest-*.sh),
# which run inside a Linux guest under vmras (busybox sh, as /init's script).
# The test host reads every "vmras-test:" and "pageholder:" line on the console.

# What the guest sees: its CPU vendor; how many of the KVM PV features that
# make hypercalls it set up (IPIs, spinlock kicks, sched yield); and whether it
# will recover (AMD: SUCCOR, CPUID 0x80000007 EBX bit 1, shows as "succor" in
# /proc/cpuinfo; Intel: MCG_CAP.SER_P, which /proc/cpuinfo does not show).
guest_facts() {
	# vmras.monarch=USEC on the command line sets the broadcast rendezvous
	# timeout of an Intel guest (Linux's default: 1 s; see linux-lib.sh).
	mc=/sys/devices/system/machinecheck/machinecheck0
	for _w in $(cat /proc/cmdline); do
		case $_w in vmras.monarch=*) [ -d $mc ] && echo "${_w#*=}" >$mc/monarch_timeout ;; esac
	done
	echo "vmras-test: vendor=$(sed -n 's/^vendor_id[^:]*: //p' /proc/cpuinfo | head -n1) cpus=$(nproc)" \
		"monarch_timeout=$(cat $mc/monarch_timeout 2>/dev/null)" \
		"pv_hypercalls=$(dmesg | grep -cE 'kvm-guest: (setup PV IPIs|PV spinlocks enabled|setup PV sched yield)')" \
		"succor=$(grep -c '^flags.* succor' /proc/cpuinfo) cmdline=$(tr ' ' '\n' </proc/cmdline | grep -v '^vmras.run=' | tr '\n' ' ')"
}

# The guest kernel's machine-check and memory-failure messages, whatever
# reached the console or not (loglevel), as "klog: SECONDS MESSAGE" (not in the
# "[ SECONDS] " form, which the test host takes for a console message).
guest_klog() {
	dmesg | grep -iE 'mce|machine ?check|memory failure|hardware (error|memory)|hwpoison|corrupt|sigbus' |
		sed 's/^\[ *\([0-9.]*\)\] /klog: \1 /'
}

# Machine-check exceptions and polls per CPU, from /proc/interrupts.
guest_mce_counts() {
	grep -E '^ *MC[EP]:' /proc/interrupts | tr -s ' ' | sed 's/^ */vmras-test: interrupts /'
}

# HardwareCorrupted from /proc/meminfo, in kB.
guest_corrupted_kb() {
	sed -n 's/^HardwareCorrupted: *\([0-9]*\) kB/\1/p' /proc/meminfo
}

# Waits for "go" (or anything) on the console, from the test host.
wait_go() {
	echo "vmras-test: waiting for go ($1)"
	read -r _go || { echo "vmras-test: console input ended"; exit 1; }
	echo "vmras-test: got $_go"
}

# The status a shell reports for a pageholder that WAIT returns.
reap() { # NAME PID
	wait "$2"
	echo "vmras-test: $1 status $?"
}
