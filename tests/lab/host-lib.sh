# Sourced (bash) by tests/lab/test-*.sh, on the machine that runs lab/run.
# Sets here (tests/lab) and repo. need_static FILE...: exits 77 (skip) unless
# each FILE is built in build-static (or $VMRAS_LAB_BUILD_DIR).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(dirname "$(dirname "$here")")

need_static() {
	local build=${VMRAS_LAB_BUILD_DIR:-$repo/build-static} f
	for f in "$@"; do
		if [ ! -f "$build/$f" ]; then
			echo "${build#"$repo/"}/$f is not built (make static)"
			exit 77
		fi
	done
}

# A Linux-guest memory-failure test (inside/linux-SCENARIO.sh) with
# pageholder and the guest scripts staged into the guest's initramfs.
linux_test() { # SCENARIO
	. "$here/inside/linux-stage.sh"
	linux_stage "$repo" "$here/inside"
	"$repo/lab/run" --share "$here/inside" --share "$STAGE" -- sh "$here/inside/linux-$1.sh" "$STAGE/guest.cpio"
}

# The same on the arm64 lab, the aarch64 build's binaries staged, under a
# time limit of SECONDS (the arm64 lab is several times slower).
arm64_linux_test() { # SCENARIO SECONDS
	. "$here/inside/linux-stage.sh"
	linux_stage "$repo" "$here/inside" build-static-arm64
	VMRAS_LAB_BUILD_DIR=$repo/build-static-arm64 need_static vmras vmras-poison vmras-ctl vmras-cper
	"$repo/lab/run" --arch arm64 --timeout "$2" --share "$here/inside" --share "$STAGE" -- \
		sh "$here/inside/linux-$1.sh" "$STAGE/guest.cpio"
}

# The machine-check register tests for one guest CPU vendor (amd, intel).
mce_registers() {
	need_static vmras vmras-poison tests/guest/mcetest.bzimage
	exec "$repo/lab/run" --timeout 200 --env MCE_VENDORS="$1" --share "$here/inside" -- \
		sh "$here/inside/mce-registers.sh"
}
