# Guest side of bench/arm64-vs-qemu's memory-failure scenarios (staged into
# the guest initramfs as /vmras/bench-mf.sh, run by init as
# ". /vmras/bench-mf.sh ao|ar"; busybox sh). The host reads the "vmras-test:"
# and "pageholder:" lines on the console.
#   ao  "early" (PR_MCE_KILL_EARLY) holds a dirty page; the host poisons the
#       host page behind it and later sends "go"; the guest then reports.
#   ar  "victim" and "bystander" (late kill) hold a dirty page each; the host
#       poisons the victim's and sends "go": the victim reads its page (a
#       kernel-log line "vmras-test: touch" first, at error level so that it
#       reaches the console with the printk time the guest's "Memory failure"
#       lines carry: the touch-to-Recovered time), the bystander its own.
. /vmras/linux-guest-common.sh
mode=$1
echo "vmras-test: bench $mode, $(nproc) CPUs, $(dmesg | grep -c 'HEST: Table parsing has been initialized') HEST"
case $mode in
ao)
	pageholder early early &
	early=$!
	sleep 1
	wait_go "poison the early holder's page"
	kill -0 "$early" 2>/dev/null && echo "vmras-test: early still alive" ;;
ar)
	pageholder late victim &
	victim=$!
	pageholder late bystander &
	bystander=$!
	sleep 1
	wait_go "poison the victim's page"
	echo "<3>vmras-test: touch" >/dev/kmsg
	kill -USR1 "$victim"
	reap victim "$victim"
	kill -USR1 "$bystander"
	sleep 1
	kill -TERM "$bystander"
	reap bystander "$bystander" ;;
esac
echo "vmras-test: alive corrupted_kb=$(guest_corrupted_kb)"
guest_klog
