# Guest side of bench/burst (staged into the guest initramfs as
# /vmras/burst-guest.sh with linux-guest-common.sh, run by init as
# ". /vmras/burst-guest.sh"; busybox sh), holding vmras.pages=PAGES pages
# (from the command line). The test host reads the
# "vmras-test:" and "pageholder:" lines on the console.
#
# A late-kill holder (tests/guest/pageholder) dirties PAGES pages of guest RAM
# and lists their guest-physical addresses; the test host poisons the host
# pages behind them. A late-kill process is not signalled when the guest
# isolates its pages, and it never reads them again, so it lives on: what the
# guest does with each report is "Memory failure: 0x...: recovery action for
# dirty LRU page: Recovered". On "go" the guest says how many pages it
# isolated: HardwareCorrupted in /proc/meminfo (the kernel's count of pages it
# marked poisoned), and its "Memory failure:" lines (the command line gives
# the log buffer room for them; only the host keeps them off the console).
. /vmras/linux-guest-common.sh
pages=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^vmras.pages=//p')
pages=${pages:-1}
guest_facts
pageholder late hold "$pages" &
holder=$!
sleep 1
wait_go "poison the holder's pages"
# Give the last record's work (memory_failure_queue runs in a worker) time.
sleep 2
kill -0 "$holder" 2>/dev/null && alive=yes || alive=no
echo "vmras-test: report corrupted_kb=$(guest_corrupted_kb)" \
	"mf_lines=$(dmesg | grep -c 'Memory failure: ')" \
	"recovered=$(dmesg | grep -c 'Memory failure: .*: Recovered')" \
	"ghes_records=$(dmesg | grep -c 'Hardware error from APEI Generic Hardware Error Source')" \
	"mce_lines=$(dmesg | grep -ciE 'machine check|mce: ')" \
	"holder_alive=$alive"
dmesg | grep -E 'Memory failure: |GHES|ghes|mce: |Machine check|Kernel panic' | head -n 5 | sed 's/^\[ *\([0-9.]*\)\] /vmras-test: first klog: \1 /'
dmesg | grep -E 'Memory failure: |GHES|ghes|mce: |Machine check' | tail -n 3 | sed 's/^\[ *\([0-9.]*\)\] /vmras-test: last klog: \1 /'
kill -TERM "$holder" 2>/dev/null
wait "$holder"
echo "vmras-test: holder status $?"
