# Guest side of `make demo` (/vmras/run.sh in the guest's initramfs): one
# process holds a dirty page, the test host poisons the page behind it for
# real, and this guest isolates it, kills only that process, and goes on to an
# interactive shell.
mc=/sys/devices/system/machinecheck/machinecheck0
# An AMD guest is told of an action-optional error by a logged (deferred)
# record, which Linux finds when it polls the banks: poll every second.
[ -w $mc/check_interval ] && echo 1 >$mc/check_interval
echo "vmras-demo: guest CPU $(sed -n 's/^vendor_id[^:]*: //p' /proc/cpuinfo | head -n1), $(nproc) vCPUs"
echo "vmras-demo: a process holds one dirty page; the host is about to poison the memory behind it"
pageholder early demo &
holder=$!
wait $holder
echo "vmras-demo: the page holder ended with status $? (135: killed by SIGBUS, as it should be)"
echo "vmras-demo: the guest kernel's own log:"
dmesg | grep -E 'Memory failure|mce:|Hardware Error' | sed 's/^/  /'
echo "vmras-demo: HardwareCorrupted $(sed -n 's/^HardwareCorrupted: *//p' /proc/meminfo); the guest runs on."
echo "vmras-demo: this is the guest's shell (type 'poweroff' to stop the VM and leave)"
setsid cttyhack sh -l
