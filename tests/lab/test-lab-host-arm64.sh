#!/usr/bin/env bash
# The arm64 lab (lab/run --arch arm64): first all that test-lab-host.sh checks
# of the x86 lab (exit statuses, --share, the working directory, --env,
# /dev/kvm, the image variables, raw batch output, terminal use, --timeout, bad
# options), with the arm64 test host; then, in one more test-host boot: nested
# KVM works (kvm-probe-arm64: API 12, KVM_CAP_ARM_INJECT_EXT_DABT 1, a vCPU
# initialised with PSCI 0.2 runs to an MMIO exit), real memory failures work
# (hwpoison_inject poisons the page of tests/guest/pageholder, cross-compiled,
# which then gets BUS_MCEERR_AR with lsb 12), and the test host's boot time,
# printed as "report:" lines.
set -uo pipefail
# shellcheck source=tests/lab/host-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/host-lib.sh"
run="$repo/lab/run"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# lab/run's --arch defaults to $VMRAS_LAB_ARCH.
VMRAS_LAB_ARCH=arm64 bash "$here/test-lab-host.sh" || fail "test-lab-host.sh with VMRAS_LAB_ARCH=arm64 (above)"
"$run" --arch sparc -- true 2>/dev/null
[ $? = 2 ] || fail "bad --arch did not exit 2"

share=$(mktemp -d)
trap 'rm -rf "$share"' EXIT
aarch64-linux-gnu-gcc -static -O2 -g0 -Wall -Wextra -Werror -o "$share/pageholder" \
	"$repo/tests/guest/pageholder.c" || { echo "cannot cross-compile pageholder"; exit 1; }

# shellcheck disable=SC2016 # expanded in the test host
check='
	echo "uptime=$(cut -d" " -f1 /proc/uptime)"
	dmesg | grep -o "kvm \[[0-9]*\]: .*mode initialized.*"
	kvm-probe-arm64
	echo "probe-status=$?"
	"$1/pageholder" late lab >/tmp/holder.out &
	holder=$!
	n=0
	until grep -q "pfn=" /tmp/holder.out || [ $n -ge 50 ]; do sleep 0.1; n=$((n + 1)); done
	pfn=$(sed -n "s/.* pfn=\(0x[0-9a-f]*\) .*/\1/p" /tmp/holder.out)
	echo "$pfn" >/sys/kernel/debug/hwpoison/corrupt-pfn || echo "corrupt-pfn $pfn: write failed"
	kill -USR1 $holder
	wait $holder
	echo "holder-status=$?"
	cat /tmp/holder.out
	dmesg | grep -o "Memory failure: .*"
	exit 0
'
start=$EPOCHREALTIME
out=$("$run" --arch arm64 --share "$share" --timeout 120 -- sh -c "$check" check "$share" 2>&1)
rc=$?
ms=$(((${EPOCHREALTIME/./} - ${start/./}) / 1000))
[ $rc = 0 ] || fail "exit status $rc, expected 0"
has() { grep -q -- "$1" <<<"$out" || fail "no '$1' in: $out"; }
has 'kvm \[[0-9]*\]: VHE mode initialized successfully'
has '^api-version: 12$'
has '^cap-arm-inject-ext-dabt: 1$'
has '^cap-arm-psci-0-2: 1$'
has '^vcpu-init: ok$'
has '^run: ok'
has '^probe-status=0$'
has '^holder-status=135$'
has '^pageholder: lab SIGBUS code=4 (BUS_MCEERR_AR) addr=0x[0-9a-f]* lsb=12$'
has '^Memory failure: 0x[0-9a-f]*: recovery action for dirty LRU page: Recovered'
grep -E '^(pageholder: lab SIGBUS|Memory failure:)' <<<"$out" | sed 's/^/report: hwpoison: /'

uptime=$(sed -n 's/^uptime=//p' <<<"$out")
echo "report: arm64 test host: COMMAND started at uptime ${uptime:-?} s; lab/run took $((ms / 1000)).$((ms % 1000 / 100)) s in all"
grep -E '^(api-version|cap-[a-z0-9-]*|max-vcpus|create-vm|create-vcpu|preferred-target|vcpu-init|run):' <<<"$out" | sed 's/^/report: kvm-probe-arm64: /'
[ $fails = 0 ]
