# Guest side of issue 3, scenario 1 (action-optional, early kill in vmras):
# two processes hold a dirty page each. "early" asked for early kill
# (PR_MCE_KILL_EARLY), "late" did not (the system default). The test host
# poisons both pages, one after the other, and waits for this guest to isolate
# each; then it sends "go" and "late" touches its page.
. /vmras/linux-guest-common.sh
guest_facts
# On AMD an action-optional error is only logged in the bank (a deferred error,
# no #MC); Linux finds it when it polls the banks, every check_interval seconds.
echo 1 >/sys/devices/system/machinecheck/machinecheck0/check_interval ||
	echo "vmras-test: cannot set check_interval"
pageholder early early &
early=$!
pageholder late late &
late=$!
sleep 1
wait_go "poison both pages"
reap early "$early"
guest_mce_counts
kill -USR1 "$late"
reap late "$late"
guest_mce_counts
echo "vmras-test: alive corrupted_kb=$(guest_corrupted_kb)"
guest_klog
