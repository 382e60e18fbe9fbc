# Guest side of issue 12 part 2 (tests/lab/test-linux-hugetlb.sh): a host
# hugepage behind guest RAM is lost. Each holder owns one guest transparent
# hugepage (pageholder ... 512 huge): 2 MiB of guest-physical memory in one
# piece, which one 2 MiB hugepage of vmras's guest RAM holds whole.
# The owner of the poisoned page survives its SIGBUS (pageholder survive):
# a program that dies frees the rest of its lost page before the guest has
# been told of all of it, and the guest kernel then reuses one (see
# tests/lab/PENDING's history). On "go" it touches each of its pages once
# (any the guest was not told of yet is then reported by the vCPU's touch),
# and exits only when the guest's HardwareCorrupted has settled.
# vmras.hugetlb=ao: "early" (early kill) owns the page the test host
# poisons, and "late" reads its own, healthy page.
# vmras.hugetlb=ar: "victim" owns the page poisoned while vmras hears
# nothing (--early-kill off); "bystander" reads its own. Either way a second
# question follows ("end" ends the run; the host may reset the VM instead),
# and a boot answered "end" at the first question ends at once.
. /vmras/linux-guest-common.sh
guest_facts
mode=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^vmras.hugetlb=//p')
thp=/sys/kernel/mm/transparent_hugepage/enabled
grep -q '\[never\]' $thp && echo madvise >$thp
echo "vmras-test: thp $(cat $thp)"
echo 1 >/sys/devices/system/machinecheck/machinecheck0/check_interval 2>/dev/null
if [ "$mode" = ar ]; then
	first=victim second=bystander
	pageholder late victim 512 huge survive &
else
	first=early second=late
	pageholder early early 512 huge survive &
fi
p1=$!
pageholder late $second 512 huge survive &
p2=$!
sleep 1
wait_go "poison the $first holder's hugepage"
if [ "$_go" = end ]; then
	kill -KILL "$p1" "$p2"
	exit 0
fi
kill -USR1 "$p1"
kill -USR1 "$p2"
# The guest isolates the pages it is told of as the records come: wait
# until it covers the whole 2 MiB page, or has stood still for 5 s (60 s at most).
last=-1 still=0 t=0
while [ "$(guest_corrupted_kb)" -lt 2048 ] && [ $still -lt 5 ] && [ $t -lt 60 ]; do
	kb=$(guest_corrupted_kb)
	if [ "$kb" = "$last" ]; then still=$((still + 1)); else still=0; fi
	last=$kb
	sleep 1
	t=$((t + 1))
done
echo "vmras-test: alive corrupted_kb=$(guest_corrupted_kb)"
kill -TERM "$p1" "$p2"
reap $first "$p1"
reap $second "$p2"
echo "vmras-test: recovered_pages=$(dmesg | grep -c 'Memory failure: 0x[0-9a-f]*: recovery action')" \
	"ghes_records=$(dmesg | grep -c 'Hardware error from APEI Generic Hardware Error Source')" \
	"mce_kills=$(dmesg | grep -c 'MCE: Killing')" "overflows=$(dmesg | grep -c 'buffer overflow when queuing memory failure')"
guest_mce_counts
dmesg | grep -iE 'mce|machine ?check|memory failure|hardware error|hwpoison|sigbus' | grep -v 'recovery action' |
	head -n 40 | sed 's/^\[ *\([0-9.]*\)\] /klog: \1 /'
wait_go "end, or a reset"
