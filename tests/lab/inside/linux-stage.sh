# Sourced (bash) by tests/lab/test-linux-*.sh, on the machine that runs lab/run:
# stages what the Linux-guest memory-failure tests carry into the lab. Sets
# STAGE, a temporary directory (removed on exit) holding guest.cpio: a newc
# archive to append to the default guest initramfs, with /bin/pageholder
# (BUILD/tests/guest/pageholder; BUILD is build-static, or build-static-arm64
# for the arm64 lab) and /vmras/linux-guest-*.sh. Exits 77 (skip) when the
# static binaries are not built.
linux_stage() { # REPO INSIDE [BUILD]
	local repo=$1 inside=$2 build=${3:-build-static} b
	for b in vmras vmras-poison tests/guest/pageholder; do
		if [ ! -x "$repo/$build/$b" ]; then
			echo "$build/$b is not built (make static / make static-arm64)"
			exit 77
		fi
	done
	STAGE=$(mktemp -d)
	trap 'rm -rf "$STAGE"' EXIT
	mkdir -p "$STAGE/root/bin" "$STAGE/root/vmras"
	cp "$repo/$build/tests/guest/pageholder" "$STAGE/root/bin/"
	cp "$inside"/linux-guest-*.sh "$STAGE/root/vmras/"
	(cd "$STAGE/root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$STAGE/guest.cpio" ||
		{ echo "cannot pack the guest archive"; exit 1; }
	rm -rf "$STAGE/root"
}
