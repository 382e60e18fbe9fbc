# Guest side of issue 3, scenario 2 (action-required, early kill off in
# vmras): "victim" and "bystander" hold a dirty page each. The test host
# poisons the victim's page (vmras hears nothing yet) and sends "go"; the
# victim then reads its page, and the bystander reads its own afterwards.
. /vmras/linux-guest-common.sh
guest_facts
pageholder late victim &
victim=$!
pageholder late bystander &
bystander=$!
sleep 1
wait_go "poison the victim's page"
kill -USR1 "$victim"
reap victim "$victim"
kill -USR1 "$bystander"
sleep 1
kill -TERM "$bystander"
reap bystander "$bystander"
guest_mce_counts
echo "vmras-test: alive corrupted_kb=$(guest_corrupted_kb)"
guest_klog
