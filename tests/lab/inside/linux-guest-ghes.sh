# Guest side of the APEI tests (issue 5): page holders for the test host to
# poison, then "go" ends the run. The holders are never told to touch or free
# their pages: a guest that does not take GHES records (ghes.disable=1) would
# otherwise meet the poison itself.
# vmras.holders=N on the command line: how many late-kill holders (b1..bN)
# besides the early-kill one.
. /vmras/linux-guest-common.sh
guest_facts
n=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^vmras.holders=//p')
dmesg | grep -E 'GHES|HEST|APEI' | sed 's/^\[ *\([0-9.]*\)\] /klog: \1 /'
pageholder early early &
i=1
while [ "$i" -le "${n:-0}" ]; do
	pageholder late "b$i" &
	i=$((i + 1))
done
sleep 1
wait_go "poison the pages"
echo "vmras-test: alive corrupted_kb=$(guest_corrupted_kb)"
guest_klog
