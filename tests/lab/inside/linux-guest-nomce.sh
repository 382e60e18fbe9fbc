# Guest side of issue 3, scenario 3 (guest booted with mce=off: CR4.MCE stays
# clear; early kill off in vmras). First boot: leave a marker in the EBDA
# (e820-reserved, kept across vmras's reset as RAM is), then "victim" reads its
# poisoned page, which must reset the VM. Second boot: find the marker, clear
# it, power off.
. /vmras/linux-guest-common.sh
marker=0x9fc40 magic=0x6d63656f
v=$(devmem $marker 32)
if [ $((v)) -eq $((magic)) ]; then
	devmem $marker 32 0
	echo "vmras-test: second boot"
	guest_facts
	echo "vmras-test: alive corrupted_kb=$(guest_corrupted_kb)"
	guest_klog
	exit 0
fi
echo "vmras-test: first boot"
guest_facts
devmem $marker 32 $magic
[ $(($(devmem $marker 32))) -eq $((magic)) ] || { echo "vmras-test: devmem write did not stick"; exit 1; }
pageholder late victim &
victim=$!
sleep 1
wait_go "poison the victim's page"
kill -USR1 "$victim"
reap victim "$victim"
echo "vmras-test: still running after the victim read its page: the VM did not reset"
guest_klog
exit 1
