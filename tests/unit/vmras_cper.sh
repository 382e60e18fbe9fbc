#!/usr/bin/env bash
# vmras-cper: the record it prints is the encoder's (every field is tested
# in test_cper); here, that the tool hands it on intact, in base64, with the
# address, size and severity asked for, and refuses bad input clearly.
# Usage: vmras_cper.sh VMRAS_CPER
set -u
tool=$1
# A cross build's programs run through its emulator (meson's exe_wrapper,
# e.g. qemu-aarch64); empty for a native build.
wrap=${MESON_EXE_WRAPPER:-}
fail() { echo "FAIL: $*"; exit 1; }
# The little-endian value of LEN bytes at OFF of the decoded record.
field() { # B64 OFF LEN
	base64 -d <<<"$1" | od -An -t x1 -j "$2" -N "$3" | tr -d ' \n' |
		sed -E 's/(..)/\1 /g' | awk '{ for (i = NF; i > 0; i--) printf "%s", $i; print "" }'
}

rec=$($wrap "$tool" 0x1ff72000) || fail "exit $?"
[ "$(base64 -d <<<"$rec" | wc -c)" = 172 ] || fail "not 172 bytes: $rec"
# Block status: uncorrectable valid, one entry; block severity recoverable (0).
[ "$(field "$rec" 0 4)" = 00000011 ] || fail "block status $(field "$rec" 0 4)"
[ "$(field "$rec" 16 4)" = 00000000 ] || fail "block severity $(field "$rec" 16 4)"
# The memory section starts after the 20-byte header and the 72-byte entry;
# physical address at +16, its mask at +24.
[ "$(field "$rec" 108 8)" = 000000001ff72000 ] || fail "address $(field "$rec" 108 8)"
[ "$(field "$rec" 116 8)" = fffffffffffff000 ] || fail "mask $(field "$rec" 116 8)"

rec=$($wrap "$tool" --severity fatal 0x200000 0x200000) || fail "exit $?"
[ "$(field "$rec" 16 4)" = 00000001 ] || fail "fatal: block severity $(field "$rec" 16 4)"
[ "$(field "$rec" 116 8)" = ffffffffffe00000 ] || fail "2 MiB mask $(field "$rec" 116 8)"

for bad in "" "x" "0x1000 3" "--severity bad 0x1000" "0x1000 4096 9" "-1"; do
	# shellcheck disable=SC2086
	out=$($wrap "$tool" $bad 2>&1); rc=$?
	[ $rc = 2 ] || fail "'$bad': exit $rc"
	[[ $out == *Usage:* ]] || fail "'$bad': no usage line: $out"
done
out=$($wrap "$tool" 0x1000 3 2>&1)
[[ $out == *"power of two"* ]] || fail "size 3: $out"
echo "vmras_cper: ok"
