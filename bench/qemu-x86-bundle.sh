# shellcheck shell=bash disable=SC2154,SC2034 # cache comes from the benchmark; QEMU_BUNDLE goes back to it
# Sourced by the x86 benchmarks (bench/boot-time, bench/burst): qemu_bundle
# puts Debian's qemu-system-x86_64 with its libraries in the cache. Needs
# $cache (the benchmark cache folder) and say (a message on stderr).
# Sets QEMU_BUNDLE: qemu-system-x86_64, the libraries ldd names (and the loader),
# and the x86 firmware it loads, in one folder that runs without /usr.
qemu_bundle() {
	local bin ver dir tmp lib name path f stale=
	# x86 option ROMs and firmware (the rest of its data files are for other
	# targets); bios-microvm.bin is qboot for -M microvm (bench/disk-io).
	local roms="kvmvapic.bin linuxboot.bin linuxboot_dma.bin multiboot.bin multiboot_dma.bin pvh.bin qboot.rom bios-microvm.bin"
	bin=$(command -v qemu-system-x86_64) || { say "qemu: no qemu-system-x86_64 here"; return 1; }
	ver=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null)
	ver=${ver:-$(sha256sum "$bin" | cut -c1-16)}
	dir="$cache/qemu/${ver//[^A-Za-z0-9.+~_-]/_}"
	# A bundle made before a firmware file joined the list is made again.
	for f in $roms; do
		[ ! -e "/usr/share/qemu/$f" ] || [ -e "$dir/share/qemu/$f" ] || stale=1
	done
	if [ ! -f "$dir/.complete" ] || [ "$bin" -nt "$dir/.complete" ] || [ -n "$stale" ]; then
		say "bundling $bin ($ver) with its libraries in $dir"
		mkdir -p "$cache/qemu"
		tmp=$(mktemp -d "$cache/qemu/.tmp.XXXXXX") || return 1
		mkdir -p "$tmp/bin" "$tmp/lib" "$tmp/share/qemu" "$tmp/share/seabios"
		cp -L "$bin" "$tmp/bin/qemu-system-x86_64" || { rm -rf "$tmp"; return 1; }
		# "libfoo.so.1 => /lib/.../libfoo.so.1 (0x...)" and the loader's "/lib64/ld-linux-x86-64.so.2 (0x...)"
		while read -r name path; do
			cp -L "$path" "$tmp/lib/$name" || { rm -rf "$tmp"; return 1; }
		done < <(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 } $1 ~ /^\/.*ld-linux/ { n = $1; sub(/.*\//, "", n); print n, $1 }')
		[ -f "$tmp/lib/ld-linux-x86-64.so.2" ] || { say "qemu: ldd names no ld-linux-x86-64.so.2"; rm -rf "$tmp"; return 1; }
		# glibc loads libgcc_s at run time (thread cancellation, unwinding).
		lib=$(ldconfig -p 2>/dev/null | awk '$1 == "libgcc_s.so.1" && /x86-64/ { print $NF; exit }')
		[ -n "$lib" ] && cp -L "$lib" "$tmp/lib/"
		for f in $roms; do
			[ -e "/usr/share/qemu/$f" ] && cp -L "/usr/share/qemu/$f" "$tmp/share/qemu/"
		done
		cp -L /usr/share/seabios/* "$tmp/share/seabios/" 2>/dev/null
		[ -f "$tmp/share/seabios/bios-256k.bin" ] || [ -f "$tmp/share/qemu/bios-256k.bin" ] ||
			{ say "qemu: no SeaBIOS (bios-256k.bin) found"; rm -rf "$tmp"; return 1; }
		cat >"$tmp/qemu" <<-'EOF'
			#!/bin/sh
			# qemu-system-x86_64 from this folder, without the system's loader and libraries.
			d=$(cd "$(dirname "$0")" && pwd)
			exec "$d/lib/ld-linux-x86-64.so.2" --library-path "$d/lib" "$d/bin/qemu-system-x86_64" \
				-L "$d/share/qemu" -L "$d/share/seabios" "$@"
		EOF
		chmod 0755 "$tmp/qemu"
		echo "$ver" >"$tmp/version"
		touch "$tmp/.complete"
		rm -rf "$dir"
		mv "$tmp" "$dir" || return 1
	fi
	QEMU_BUNDLE=$dir
}
