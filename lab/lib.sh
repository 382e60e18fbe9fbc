# shellcheck shell=bash
# vmras lab: shared functions, sourced by lab/build, lab/run and lab/demo.
#
# Two test-host architectures (lab_arch): x86_64 (the default) and arm64.
#
# Builds and caches, in $VMRAS_LAB_CACHE (default ~/.cache/vmras-lab), outside the
# repository so that every clone on a machine shares it:
#   kernel/PKG_VERSION/   the Debian kernel package behind linux-image-amd64 (or
#                         linux-image-arm64:arm64), unpacked
#   guest/HASH/           guest-initrd.cpio.gz: the default initramfs of an L2 guest
#   host/HASH/            host-base.cpio: the initramfs of the L1 test host, less the
#                         per-run part (command, vmras binaries, shared folders)
# Each HASH covers every input of its image (scripts, busybox, kernel package), so
# an image is rebuilt only when something it is made of changes.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
LAB_REPO=$(dirname "$LAB_DIR")
LAB_CACHE=${VMRAS_LAB_CACHE:-${HOME:-/root}/.cache/vmras-lab}

lab_log() { printf 'lab: %s\n' "$*" >&2; }
lab_die() { printf 'lab: error: %s\n' "$*" >&2; exit "${LAB_DIE_STATUS:-1}"; }
lab_verbose() { [ "${VMRAS_LAB_VERBOSE:-0}" != 0 ] && lab_log "$@"; return 0; }

lab_sha() { sha256sum "$@" | cut -c1-64; }

# Selects the test-host architecture: x86_64 (alias amd64) or arm64 (alias
# aarch64). Sets LAB_ARCH and what differs between the two:
#   LAB_SFX        "" or "-arm64": the suffix of the per-arch lists in lab/
#                  (host-modules, guest-modules, binaries) and cache entries
#   LAB_KMETA      the kernel metapackage; LAB_KPIN: the pinned package, if any
#   LAB_BB_PKG     the static busybox package
#   LAB_DEPS       the tools/deps.sh group
#   LAB_BUILD_DIR  the static vmras build ($VMRAS_LAB_BUILD_DIR overrides)
#   LAB_CROSS_CC   the C compiler for the test host's static tools (arm64 only)
lab_arch() {
	case $1 in
	x86_64 | amd64)
		LAB_ARCH=x86_64 LAB_SFX='' LAB_KMETA=linux-image-amd64 LAB_KPIN=${VMRAS_LAB_KERNEL_PKG:-} LAB_FIRMWARE=
		LAB_BB_PKG=busybox-static LAB_DEPS=lab LAB_CROSS_CC=
		LAB_BUILD_DIR=${VMRAS_LAB_BUILD_DIR:-$LAB_REPO/build-static} ;;
	arm64 | aarch64)
		LAB_ARCH=arm64 LAB_SFX=-arm64 LAB_KMETA=linux-image-arm64:arm64 LAB_KPIN=${VMRAS_LAB_KERNEL_PKG_ARM64:-}
		# edk2 for QEMU's virt board (qemu-efi-aarch64): vmras --firmware
		LAB_FIRMWARE=/usr/share/qemu-efi-aarch64/QEMU_EFI.fd
		LAB_BB_PKG=busybox-static:arm64 LAB_DEPS=lab-arm64 LAB_CROSS_CC=aarch64-linux-gnu-gcc
		LAB_BUILD_DIR=${VMRAS_LAB_BUILD_DIR:-$LAB_REPO/build-static-arm64} ;;
	*) return 1 ;;
	esac
}
lab_arch "${VMRAS_LAB_ARCH:-x86_64}" || lab_arch x86_64

# Does /dev/kvm here open read-write for this user?
lab_kvm_openable() {
	local fd
	[ -c /dev/kvm ] || return 1
	{ exec {fd}<>/dev/kvm; } 2>/dev/null || return 1
	exec {fd}>&-
	return 0
}

# Is it hardware-assisted KVM (kvm_intel or kvm_amd, module or built in), the kind
# that boots an ordinary Linux guest? Some machines have another /dev/kvm: e.g.
# kvm_pvm (a software-only hypervisor whose guests need a PVM-enabled kernel), on
# which the Debian kernel does not boot at all.
lab_kvm_hardware() {
	[ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]
}

# Usable for the lab's direct mode: both of the above; for the arm64 lab, an
# arm64 machine's /dev/kvm (built into Debian's arm64 kernel).
lab_kvm_usable() {
	if [ "$LAB_ARCH" = arm64 ]; then
		lab_kvm_native && lab_kvm_openable
	else
		lab_kvm_openable && lab_kvm_hardware
	fi
}

# Is this machine of the lab's arch (so that its /dev/kvm runs the lab's guests)?
lab_kvm_native() {
	case $LAB_ARCH-$(uname -m) in x86_64-x86_64 | arm64-aarch64) return 0 ;; esac
	return 1
}

# Names the KVM implementations loaded here, for messages.
lab_kvm_kind() {
	local m found=
	for m in /sys/module/kvm_*; do
		[ -d "$m" ] && [ -e "$m/parameters" ] && found="$found ${m##*/}"
	done
	echo "${found# }"
}

# ---------------------------------------------------------------- kernel
# Sets LAB_KPKG (package name) and LAB_KVER_PKG (package version): the versioned
# image package that $LAB_KMETA depends on. The answer is remembered until
# the apt lists change (apt-cache takes about a second a call here).
lab_resolve_kernel() {
	local fp memo="$LAB_CACHE/kernel$LAB_SFX.resolved" dep ver
	if [ -n "$LAB_KPIN" ]; then
		dep=$LAB_KPIN
	fi
	fp=$(ls -l --time-style=+%s /var/lib/apt/lists/ 2>/dev/null | grep -E '_Packages' | sha256sum | cut -c1-16)
	fp="$fp ${dep:-auto}"
	if [ -f "$memo" ] && [ "$(sed -n 1p "$memo")" = "$fp" ]; then
		LAB_KPKG=$(sed -n 2p "$memo")
		LAB_KVER_PKG=$(sed -n 3p "$memo")
		[ -n "$LAB_KPKG" ] && [ -n "$LAB_KVER_PKG" ] && return 0
	fi
	local try
	for try in 1 2; do
		if [ -z "$LAB_KPIN" ]; then
			dep=$(apt-cache depends "$LAB_KMETA" 2>/dev/null |
				sed -n 's/^ *|\{0,1\}Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -n1)
		fi
		ver=
		[ -n "$dep" ] && ver=$(apt-cache policy "$dep" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -n1)
		[ "$ver" = "(none)" ] && ver=
		[ -n "$dep" ] && [ -n "$ver" ] && break
		# No apt lists yet (fresh machine): update once, as root only.
		[ "$try" = 1 ] && [ "$(id -u)" = 0 ] || break
		lab_log "apt lists lack $LAB_KMETA; running apt-get update"
		apt-get update -qq >&2 || break
		fp=$(ls -l --time-style=+%s /var/lib/apt/lists/ 2>/dev/null | grep -E '_Packages' | sha256sum | cut -c1-16)
		fp="$fp ${LAB_KPIN:-auto}"
	done
	if [ -z "$dep" ] || [ -z "$ver" ]; then
		# Offline: fall back to the newest kernel of this arch already in the cache.
		local last flavour=${LAB_KMETA#linux-image-}
		last=$(ls -td "$LAB_CACHE"/kernel/*-"${flavour%%:*}"_*/ 2>/dev/null | head -n1)
		if [ -n "$last" ] && [ -f "$last/pkg" ]; then
			LAB_KPKG=$(sed -n 1p "$last/pkg")
			LAB_KVER_PKG=$(sed -n 2p "$last/pkg")
			lab_log "cannot resolve $LAB_KMETA with apt; using cached $LAB_KPKG $LAB_KVER_PKG"
			return 0
		fi
		lab_die "cannot resolve the kernel package behind $LAB_KMETA (apt-cache depends/policy failed)"
	fi
	LAB_KPKG=$dep
	LAB_KVER_PKG=$ver
	mkdir -p "$LAB_CACHE"
	printf '%s\n%s\n%s\n' "$fp" "$dep" "$ver" >"$memo.$$" && mv -f "$memo.$$" "$memo"
}

# Sets LAB_KDIR (unpacked package), LAB_VMLINUZ and LAB_KREL (uname -r).
lab_ensure_kernel() {
	lab_resolve_kernel
	# (named without the package's ":arch": linux-image-…-arm64 says it already)
	LAB_KDIR="$LAB_CACHE/kernel/${LAB_KPKG%%:*}_${LAB_KVER_PKG//[^A-Za-z0-9.+~_-]/_}"
	if [ ! -f "$LAB_KDIR/pkg" ]; then
		local tmp
		lab_log "downloading $LAB_KPKG $LAB_KVER_PKG"
		mkdir -p "$LAB_CACHE/kernel"
		tmp=$(mktemp -d "$LAB_CACHE/kernel/.tmp.XXXXXX")
		(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$LAB_KPKG=$LAB_KVER_PKG" >/dev/null) ||
			{ rm -rf "$tmp"; lab_die "apt-get download $LAB_KPKG=$LAB_KVER_PKG failed"; }
		mkdir "$tmp/root"
		dpkg-deb -x "$tmp"/*.deb "$tmp/root" || { rm -rf "$tmp"; lab_die "dpkg-deb -x failed"; }
		rm -f "$tmp"/*.deb
		printf '%s\n%s\n' "$LAB_KPKG" "$LAB_KVER_PKG" >"$tmp/root/pkg"
		rm -rf "$LAB_KDIR"
		mv "$tmp/root" "$LAB_KDIR"
		rmdir "$tmp"
	fi
	LAB_VMLINUZ=$(ls "$LAB_KDIR"/boot/vmlinuz-* 2>/dev/null | head -n1)
	[ -f "$LAB_VMLINUZ" ] || lab_die "no boot/vmlinuz-* in $LAB_KDIR"
	LAB_KREL=${LAB_VMLINUZ##*/vmlinuz-}
	if [ "$LAB_ARCH" = arm64 ]; then
		# Debian's arm64 vmlinuz is the plain Image (CONFIG_EFI_ZBOOT off): QEMU
		# boots it as it is, and so does a VMM. Its header has "ARM\x64" at 56.
		[ "$(od -An -c -j 56 -N 3 "$LAB_VMLINUZ" | tr -d ' ')" = ARM ] ||
			lab_die "$LAB_VMLINUZ is not an uncompressed arm64 Image (EFI zboot?)"
		LAB_L1_KERNEL=$LAB_VMLINUZ
	else
		lab_ensure_vmlinux
	fi
	touch "$LAB_KDIR"
}

# Reads a little-endian unsigned integer of N bytes at OFFSET of FILE.
lab_le() {
	local v
	v=$(od -An -t "u$2" -j "$3" -N "$2" --endian=little "$1" | tr -d ' ')
	echo "${v:-0}"
}

# Sets LAB_L1_KERNEL: the test host boots the same kernel, but as the ELF vmlinux
# decompressed here once (QEMU starts it through its PVH entry point), because
# decompressing the bzImage under TCG costs the test host about 6 s a boot.
# Falls back to the bzImage when that does not work out.
lab_ensure_vmlinux() {
	local out="$LAB_KDIR/vmlinux" setup off len tmp
	LAB_L1_KERNEL=$LAB_VMLINUZ
	if [ ! -f "$out" ] && [ ! -f "$out.none" ]; then
		tmp="$out.tmp.$$"
		if grep -q '^CONFIG_PVH=y' "$LAB_KDIR"/boot/config-* 2>/dev/null; then
			# bzImage setup header: setup_sects at 0x1f1, payload_offset at 0x248,
			# payload_length at 0x24c (boot protocol 2.08+).
			setup=$(lab_le "$LAB_VMLINUZ" 1 $((0x1f1)))
			off=$(lab_le "$LAB_VMLINUZ" 4 $((0x248)))
			len=$(lab_le "$LAB_VMLINUZ" 4 $((0x24c)))
			[ "$setup" = 0 ] && setup=4
			off=$(((setup + 1) * 512 + off))
			dd if="$LAB_VMLINUZ" of="$tmp.z" iflag=skip_bytes,count_bytes skip="$off" count="$len" status=none
			# (decompressors may complain about the 4-byte size the kernel build appends)
			case $(od -An -t x1 -N 6 "$tmp.z" | tr -d ' ') in
			fd377a585a00) xz -dc --single-stream "$tmp.z" >"$tmp" 2>/dev/null || true ;;
			1f8b*) gzip -dc "$tmp.z" >"$tmp" 2>/dev/null || true ;;
			28b52ffd*) head -c $((len - 4)) "$tmp.z" | zstd -dcq >"$tmp" 2>/dev/null || true ;;
			5d0000*) xz -dc --format=lzma "$tmp.z" >"$tmp" 2>/dev/null || true ;;
			esac
			rm -f "$tmp.z"
		fi
		if [ -s "$tmp" ] && [ "$(head -c 4 "$tmp" | od -An -t x1 | tr -d ' ')" = 7f454c46 ]; then
			mv -f "$tmp" "$out"
		else
			rm -f "$tmp"
			: >"$out.none"
			lab_log "cannot extract an ELF vmlinux with a PVH entry; the test host boots the bzImage (slower)"
		fi
	fi
	[ -f "$out" ] && LAB_L1_KERNEL=$out
	return 0
}

# ---------------------------------------------------------------- busybox
# Sets LAB_BUSYBOX: a static busybox (from the busybox-static package: the
# installed one for x86_64, else one downloaded for the arch into the cache).
lab_ensure_busybox() {
	if [ "$LAB_ARCH" = x86_64 ] &&
		dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' &&
		[ -x /bin/busybox ]; then
		LAB_BUSYBOX=/bin/busybox
		return 0
	fi
	local d="$LAB_CACHE/busybox$LAB_SFX"
	if [ ! -x "$d/bin/busybox" ]; then
		local tmp
		lab_log "downloading $LAB_BB_PKG"
		mkdir -p "$LAB_CACHE"
		tmp=$(mktemp -d "$LAB_CACHE/.tmp.XXXXXX")
		(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$LAB_BB_PKG" >/dev/null) ||
			{ rm -rf "$tmp"; lab_die "apt-get download $LAB_BB_PKG failed"; }
		dpkg-deb -x "$tmp"/*.deb "$tmp/root" && rm -rf "$d" && mv "$tmp/root" "$d"
		rm -rf "$tmp"
	fi
	LAB_BUSYBOX="$d/bin/busybox"
	[ -x "$LAB_BUSYBOX" ] || lab_die "no static busybox"
	# A foreign busybox does not run here to list its applets: the installed
	# busybox-static (same Debian source, same configuration) lists them.
	if [ "$LAB_ARCH" != x86_64 ]; then
		LAB_BUSYBOX_LIST=/bin/busybox
		[ -x "$LAB_BUSYBOX_LIST" ] || lab_die "no /bin/busybox here to list the applets (tools/deps.sh $LAB_DEPS)"
	fi
}

# ---------------------------------------------------------------- images
# Populates ROOT with busybox and a symlink per applet.
lab_rootfs_busybox() {
	local root=$1 a
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,root,etc,mnt}
	chmod 1777 "$root/tmp"
	cp "$LAB_BUSYBOX" "$root/bin/busybox"
	for a in $("${LAB_BUSYBOX_LIST:-$LAB_BUSYBOX}" --list-full); do
		case $a in bin/busybox | linuxrc) continue ;; esac
		[ -e "$root/$a" ] || ln -s /bin/busybox "$root/$a"
	done
}

# Writes a newc cpio of the contents of DIR (owned by root) to stdout.
lab_cpio_dir() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
}

# Appends zeros to FILE up to a multiple of 4 bytes.
lab_pad4() {
	local size
	size=$(stat -c %s "$1")
	head -c $(((4 - size % 4) % 4)) /dev/zero >>"$1"
}

# Sets LAB_GUEST_INITRD.
lab_ensure_guest() {
	local hash dir tmp mods
	# The guest's modules come from the kernel package: the image depends on it too.
	hash=$( {
		lab_sha "$LAB_DIR/guest-init" "$LAB_DIR/lib.sh" "$LAB_DIR/guest-modules$LAB_SFX" "$LAB_BUSYBOX"
		echo "$LAB_KDIR"
	} | lab_sha -)
	dir="$LAB_CACHE/guest/${hash:0:16}"
	if [ ! -f "$dir/guest-initrd.cpio.gz" ]; then
		lab_verbose "building guest initramfs ${hash:0:16}"
		mkdir -p "$LAB_CACHE/guest"
		tmp=$(mktemp -d "$LAB_CACHE/guest/.tmp.XXXXXX")
		lab_rootfs_busybox "$tmp/root"
		mkdir -p "$tmp/root/vmras"
		install -m 0755 "$LAB_DIR/guest-init" "$tmp/root/init"
		mods=$(lab_module_order "$LAB_DIR/guest-modules$LAB_SFX") || exit
		# shellcheck disable=SC2086 # one word per module file
		lab_install_modules "$tmp/root" vmras-guest.order $mods
		# No init daemon to ask: poweroff, reboot and halt are shell functions
		# that act at once (busybox sh prefers its applets to files on PATH, but
		# not to functions), once the console has drained.
		cat >"$tmp/root/etc/vmras-functions" <<-'EOF'
			# vmras guest: poweroff, reboot and halt act at once (halt powers off:
			# a halted VM would only hang its VMM).
			vmras_drain() { stty -F /dev/console "$(stty -F /dev/console -g)" 2>/dev/null; }
			poweroff() { vmras_drain; busybox poweroff -f; }
			halt() { vmras_drain; busybox poweroff -f; }
			reboot() { vmras_drain; busybox reboot -f; }
		EOF
		cat >"$tmp/root/etc/profile" <<-'EOF'
			export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root ENV=/etc/vmras-functions
			PS1='vmras-guest:\w# '
			. /etc/vmras-functions
			cd "$HOME"
		EOF
		echo vmras-guest >"$tmp/root/etc/hostname"
		mkdir -p "$tmp/out"
		lab_cpio_dir "$tmp/root" | gzip -9n >"$tmp/out/guest-initrd.cpio.gz"
		# Tests append archives of their own to this one. Linux finds an
		# archive after a compressed one only at a 4-byte boundary (it skips
		# zeros to get there), so the image ends on one.
		lab_pad4 "$tmp/out/guest-initrd.cpio.gz"
		rm -rf "$dir"
		mv "$tmp/out" "$dir"
		rm -rf "$tmp"
	fi
	touch "$dir"
	LAB_GUEST_INITRD="$dir/guest-initrd.cpio.gz"
}

# Prints the module files (relative to lib/modules/KREL) to load, dependencies
# first, for the module names in LIST (lab/host-modules, lab/guest-modules).
lab_module_order() {
	local mdir="$LAB_KDIR/lib/modules/$LAB_KREL" name list=$1
	declare -A seen=()
	_lab_mod() {
		local n=${1//_/-} f deps d
		[ -n "${seen[$n]:-}" ] && return 0
		seen[$n]=1
		f=$(find "$mdir/kernel" \( -name "$n.ko" -o -name "$n.ko.*" -o -name "${n//-/_}.ko" -o -name "${n//-/_}.ko.*" \) | head -n1)
		[ -n "$f" ] || lab_die "module $n not found in $LAB_KPKG"
		deps=$(lab_ko_cat "$f" | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n1)
		for d in ${deps//,/ }; do _lab_mod "$d"; done
		echo "${f#"$mdir/"}"
	}
	while read -r name; do
		name=${name%%#*}
		name=${name//[[:space:]]/}
		[ -n "$name" ] && _lab_mod "$name"
	done <"$list"
}

# Copies module files (from lab_module_order), decompressed, into ROOT's
# /lib/modules/KREL and lists them, in order, in ROOT/lib/modules/ORDER_FILE.
lab_install_modules() {
	local root=$1 order=$2 m dst
	shift 2
	mkdir -p "$root/lib/modules/$LAB_KREL"
	: >"$root/lib/modules/$order"
	for m in "$@"; do
		dst="$root/lib/modules/$LAB_KREL/${m%.ko*}.ko"
		mkdir -p "$(dirname "$dst")"
		lab_ko_cat "$LAB_KDIR/lib/modules/$LAB_KREL/$m" >"$dst"
		echo "/lib/modules/$LAB_KREL/${m%.ko*}.ko" >>"$root/lib/modules/$order"
	done
}

# Writes a module, decompressed, to stdout (busybox insmod loads plain .ko only).
lab_ko_cat() {
	case $1 in
	*.ko.xz) xz -dc "$1" ;;
	*.ko.zst) zstd -dcq "$1" ;;
	*.ko.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# Sets LAB_HOST_BASE: the cached part of the L1 initramfs.
lab_ensure_host() {
	local hash dir tmp mods memo
	# Resolving the module order walks the module tree: remember it per module list.
	memo="$LAB_KDIR/modorder.$(lab_sha "$LAB_DIR/host-modules$LAB_SFX" "$LAB_DIR/lib.sh" | lab_sha - | cut -c1-16)"
	if [ -f "$memo" ]; then
		mods=$(cat "$memo")
	else
		mods=$(lab_module_order "$LAB_DIR/host-modules$LAB_SFX") || exit
		echo "$mods" >"$memo.$$" && mv -f "$memo.$$" "$memo"
	fi
	hash=$( {
		lab_sha "$LAB_DIR/host-init" "$LAB_DIR/lib.sh" "$LAB_DIR/host-modules$LAB_SFX" "$LAB_BUSYBOX" "$LAB_GUEST_INITRD"
		[ -z "$LAB_FIRMWARE" ] || lab_sha "$LAB_FIRMWARE"
		echo "$LAB_KDIR" "$mods"
		lab_host_tools_id
	} | lab_sha -)
	dir="$LAB_CACHE/host/${hash:0:16}"
	if [ ! -f "$dir/host-base.cpio" ]; then
		lab_verbose "building test-host initramfs ${hash:0:16}"
		mkdir -p "$LAB_CACHE/host"
		tmp=$(mktemp -d "$LAB_CACHE/host/.tmp.XXXXXX")
		lab_rootfs_busybox "$tmp/root"
		install -m 0755 "$LAB_DIR/host-init" "$tmp/root/init"
		mkdir -p "$tmp/root/usr/share/vmras-lab" "$tmp/root/opt/vmras/bin"
		# shellcheck disable=SC2086 # one word per module file
		lab_install_modules "$tmp/root" vmras-lab.order $mods
		cp "$LAB_VMLINUZ" "$tmp/root/usr/share/vmras-lab/vmlinuz"
		lab_host_tools "$tmp/root/usr/bin" || { rm -rf "$tmp"; lab_die "building the test host's tools failed"; }
		cp "$LAB_GUEST_INITRD" "$tmp/root/usr/share/vmras-lab/guest-initrd.cpio.gz"
		# Where Debian's qemu-efi-aarch64 puts it: the arm64 vmras's default.
		if [ -n "$LAB_FIRMWARE" ]; then
			mkdir -p "$tmp/root/usr/share/qemu-efi-aarch64"
			cp "$LAB_FIRMWARE" "$tmp/root/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"
		fi
		cat >"$tmp/root/etc/profile" <<-'EOF'
			PS1='vmras-lab:\w# '
		EOF
		mkdir -p "$tmp/out"
		# Uncompressed: the big parts (bzImage, guest initramfs) are compressed
		# already, and L1 unpacks a plain cpio faster under TCG.
		lab_cpio_dir "$tmp/root" >"$tmp/out/host-base.cpio"
		rm -rf "$dir"
		mv "$tmp/out" "$dir"
		rm -rf "$tmp"
	fi
	touch "$dir"
	LAB_HOST_BASE="$dir/host-base.cpio"
}

# The test host's own static tools (arm64: tools/kvm-probe-arm64.c, as
# kvm-probe-arm64), compiled with $LAB_CROSS_CC; x86 has none (its kvm-probe is
# one of lab/binaries). lab_host_tools DIR builds them into DIR;
# lab_host_tools_id prints what they are made of, for the image's hash.
LAB_HOST_TOOLS_ARM64=(kvm-probe-arm64)
lab_host_tools_id() {
	[ "$LAB_ARCH" = arm64 ] || return 0
	local t
	for t in "${LAB_HOST_TOOLS_ARM64[@]}"; do lab_sha "$LAB_REPO/tools/$t.c"; done
	"$LAB_CROSS_CC" --version | head -n1
}
lab_host_tools() {
	[ "$LAB_ARCH" = arm64 ] || return 0
	local t
	for t in "${LAB_HOST_TOOLS_ARM64[@]}"; do
		"$LAB_CROSS_CC" -static -O2 -Wall -Wextra -Werror -o "$1/$t" "$LAB_REPO/tools/$t.c" || return 1
	done
}

# Drops images not used for two weeks.
lab_prune() {
	find "$LAB_CACHE/guest" "$LAB_CACHE/host" "$LAB_CACHE/kernel" -mindepth 1 -maxdepth 1 \
		-mtime +14 -exec rm -rf {} + 2>/dev/null || true
}

# Builds (or finds) everything. Sets LAB_VMLINUZ, LAB_GUEST_INITRD, LAB_HOST_BASE,
# LAB_KREL. With "guest" as $1, skips the test-host image (direct mode needs none).
lab_build() {
	local what=${1:-all}
	"$LAB_REPO/tools/deps.sh" "$LAB_DEPS" >&2 || lab_die "tools/deps.sh $LAB_DEPS failed"
	mkdir -p "$LAB_CACHE" || lab_die "cannot create $LAB_CACHE"
	local lockfd
	exec {lockfd}>"$LAB_CACHE/.lock"
	flock "$lockfd"
	lab_ensure_kernel
	lab_ensure_busybox
	lab_ensure_guest
	[ "$what" = guest ] || lab_ensure_host
	lab_prune
	exec {lockfd}>&-
}

# Reads lab/binaries (lab/binaries-arm64): sets LAB_BINARIES to the paths (under $LAB_BUILD_DIR) that
# exist and LAB_MISSING to those that do not.
lab_binaries() {
	local line
	LAB_BINARIES=()
	LAB_MISSING=()
	while read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		line=${line//[[:space:]]/}
		[ -n "$line" ] || continue
		if [ -f "$LAB_BUILD_DIR/$line" ] && [ -x "$LAB_BUILD_DIR/$line" ]; then
			LAB_BINARIES+=("$LAB_BUILD_DIR/$line")
		else
			LAB_MISSING+=("$line")
		fi
	done <"$LAB_DIR/binaries$LAB_SFX"
}

# Quotes each argument for a POSIX shell.
lab_shquote() {
	local a sep=
	for a in "$@"; do
		printf "%s'%s'" "$sep" "${a//\'/\'\\\'\'}"
		sep=' '
	done
}
