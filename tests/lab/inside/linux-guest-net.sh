# Guest side of the network test (linux-net.sh): eth0 on 10.99.0.2/24, and
# once the test host has its end of the TAP up ("go"): ping it, send it
# 1 MiB (port 5001) and fetch 1 MiB from it (port 5002).
. /vmras/linux-guest-common.sh
md5() { md5sum | cut -d' ' -f1; }
echo "vmras-test: eth0 mac=$(cat /sys/class/net/eth0/address 2>/dev/null)" \
	"driver=$(basename "$(readlink /sys/class/net/eth0/device/driver 2>/dev/null)")"
ip link set eth0 up
ip addr add 10.99.0.2/24 dev eth0
dd if=/dev/urandom of=/tmp/data bs=64k count=16 2>/dev/null
wait_go "the host's end of the TAP"
ping -c 3 -W 5 10.99.0.1 >/tmp/ping.out 2>&1
echo "vmras-test: ping status $? $(grep -E 'packets transmitted' /tmp/ping.out)"
timeout 60 nc 10.99.0.1 5001 </tmp/data
echo "vmras-test: sent md5=$(md5 </tmp/data)"
timeout 60 nc 10.99.0.1 5002 | head -c 1048576 >/tmp/got
echo "vmras-test: got md5=$(md5 </tmp/got) bytes=$(wc -c </tmp/got)"
echo "vmras-test: eth0 $(grep eth0 /proc/net/dev | tr -s ' ')"
