#!/usr/bin/env bash
# Cross-checks the arm64 guest's DTB with dtc, the device tree compiler
# Linux's own build uses: each tree must decompile without one warning
# (dtc runs its checks on a binary tree too: cell counts, phandle
# references, unit addresses against reg, interrupt, clock and gpio
# specifiers), and the source must say what vmras meant. The source is not
# compiled back: a decompiled tree has bare phandle numbers where a source
# has labels, which dtc rightly warns about.
# Usage: arm64_dtc.sh ARM64_DTB_DUMP
set -euo pipefail

dump=${1:?usage: arm64_dtc.sh ARM64_DTB_DUMP}
# A cross build's programs run through its emulator (meson's exe_wrapper,
# e.g. qemu-aarch64); empty for a native build.
wrap=${MESON_EXE_WRAPPER:-}
if ! command -v dtc >/dev/null; then
	echo "arm64_dtc: dtc not found; install device-tree-compiler (tools/deps.sh lab)" >&2
	exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/vmras-arm64-dtc.XXXXXX")
failed=0
fail() { echo "arm64_dtc: FAIL: $*" >&2; failed=1; }

$wrap "$dump" "$dir"
for dtb in "$dir"/*.dtb; do
	name=$(basename "$dtb" .dtb)
	if ! dtc -I dtb -O dts -o "$dir/$name.dts" "$dtb" 2>"$dir/$name.log" || [ -s "$dir/$name.log" ]; then
		fail "$name: dtc -I dtb complained:"; cat "$dir/$name.log" >&2
	fi
done

# What the decompiled source must say (dtc's own spelling).
expect() {
	grep -qF -- "$2" "$dir/$1.dts" || fail "$1.dts lacks: $2"
}
expect cpus-2 'compatible = "linux,dummy-virt";'
expect cpus-2 'compatible = "arm,gic-v3";'
expect cpus-2 'reg = <0x00 0x8000000 0x00 0x10000 0x00 0xc000000 0x00 0x40000>;'
expect cpus-256 'reg = <0x00 0x8000000 0x00 0x10000 0x00 0xc000000 0x00 0x2000000>;'
expect cpus-256 'cpu@f0f {'
expect cpus-8 'compatible = "arm,psci-1.0\0arm,psci-0.2";'
expect cpus-8 'method = "hvc";'
expect cpus-8 'interrupts = <0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>;'
expect cpus-8 'compatible = "arm,pl011\0arm,primecell";'
expect cpus-8 'clock-names = "uartclk\0apb_pclk";'
expect cpus-8 'compatible = "qemu,pvpanic-mmio";'
expect cpus-8 'linux,code = <0x74>;'
expect cpus-8 'stdout-path = "/pl011@9000000";'
expect cpus-8 'bootargs = "console=ttyAMA0 earlycon panic=-1";'
expect cpus-8 'linux,initrd-start = <0x00 0x42800000>;'
expect cpus-8 'reg = <0x00 0x40000000 0x00 0x40000000>;'
expect bare 'reg = <0x00 0x40000000 0x00 0x4000000>;'
if grep -qE 'pvpanic|gpio-keys|bootargs|initrd' "$dir/bare.dts"; then
	fail "bare.dts has an optional node or property"
fi
expect firmware 'compatible = "cfi-flash";'
expect firmware 'reg = <0x00 0x00 0x00 0x4000000 0x00 0x4000000 0x00 0x4000000>;'
expect firmware 'bank-width = <0x04>;'
expect firmware 'compatible = "arm,pl031\0arm,primecell";'
# edk2 finds fw_cfg by this compatible and uses DMA only with a 0x18-byte reg.
expect firmware 'fw-cfg@9020000 {'
expect firmware 'compatible = "qemu,fw-cfg-mmio";'
expect firmware 'reg = <0x00 0x9020000 0x00 0x18>;'
expect firmware 'dma-coherent;'
if grep -qE 'bootargs|initrd' "$dir/firmware.dts"; then
	fail "firmware.dts has a command line or initrd"
fi
# virtio-mmio where virt has it: SPIs 16 and 17, level high.
expect virtio 'virtio_mmio@a000000 {'
expect virtio 'virtio_mmio@a000200 {'
expect virtio 'compatible = "virtio,mmio";'
expect virtio 'reg = <0x00 0xa000200 0x00 0x200>;'
expect virtio 'interrupts = <0x00 0x10 0x04>;'
expect virtio 'interrupts = <0x00 0x11 0x04>;'
[ "$(grep -c 'virtio,mmio' "$dir/virtio.dts")" = 2 ] || fail "virtio.dts: not 2 virtio-mmio nodes"
grep -q 'virtio' "$dir/firmware.dts" && fail "firmware.dts has a virtio node without --disk"
[ "$(grep -c 'enable-method = "psci";' "$dir/cpus-256.dts")" = 256 ] || fail "cpus-256.dts: not 256 PSCI cpus"

if [ $failed = 0 ]; then
	rm -rf "$dir"
	echo "arm64_dtc: 6 trees decompile without a warning"
else
	echo "arm64_dtc: kept $dir" >&2
fi
exit $failed
