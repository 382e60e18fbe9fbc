#!/usr/bin/env bash
# Cross-checks the HEST with ACPICA's disassembler: it must decode without a
# warning, error or checksum complaint (iasl exits 0 even then, so its text
# is what counts) and show, field after field, the values vmras meant.
# Usage: hest_iasl.sh HEST_DUMP
set -euo pipefail

dump=${1:?usage: hest_iasl.sh HEST_DUMP}
if ! command -v iasl >/dev/null; then
	echo "hest_iasl: iasl not found; install acpica-tools (tools/deps.sh lab)" >&2
	exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/vmras-hest-iasl.XXXXXX")
failed=0
fail() { echo "hest_iasl: FAIL: $*" >&2; failed=1; }

"$dump" "$dir"
# shellcheck source=/dev/null
. "$dir/config.sh"

(cd "$dir" && iasl -d HEST.dat) >"$dir/iasl.log" 2>&1 || fail "iasl -d exited $?"
# Complaints land in the log and as comments in the disassembly; field
# lines ("[off ...] Name : value") are skipped as their names say "Error".
if { cat "$dir/iasl.log"; grep -v '^\[' "$dir/HEST.dsl"; } |
	grep -Ei 'warning|error|incorrect|invalid|unknown|too long|terminates|not contain|ignoring' >&2; then
	fail "iasl complained (see $dir)"
fi
grep -Fq 'Acpi Data Table [HEST] decoded' "$dir/iasl.log" || fail "HEST not decoded"

# "Field : Value" for every field line, in table order, whitespace squeezed.
sed -nE 's/^\[[0-9A-F]+h [0-9]+ +[0-9]+\] +(.*[^ ]) +: (.*)$/\1 : \2/p' "$dir/HEST.dsl" |
	sed -E 's/[[:space:]]+/ /g; s/ $//' >"$dir/fields.txt"

source_fields() { # ID STATUS_ADDR VECTOR ACK_ADDR
	cat <<-END
	Subtable Type : 000A [Generic Hardware Error Source V2]
	Source Id : $1
	Related Source Id : FFFF
	Reserved : 00
	Enabled : 01
	Records To Preallocate : 00000001
	Max Sections Per Record : 00000001
	Max Raw Data Length : $BLOCK_LEN
	Error Status Address : [Generic Address Structure]
	Space ID : 00 [SystemMemory]
	Bit Width : 40
	Bit Offset : 00
	Encoded Access Width : 04 [QWord Access:64]
	Address : $2
	Notify : [Hardware Error Notification Structure]
	Notify Type : 01 [External Interrupt]
	Notify Length : 1C
	Configuration Write Enable : 0000
	PollInterval : 00000000
	Vector : $3
	Polling Threshold Value : 00000000
	Polling Threshold Window : 00000000
	Error Threshold Value : 00000000
	Error Threshold Window : 00000000
	Error Status Block Length : $BLOCK_LEN
	Read Ack Register : [Generic Address Structure]
	Space ID : 00 [SystemMemory]
	Bit Width : 40
	Bit Offset : 00
	Encoded Access Width : 04 [QWord Access:64]
	Address : $4
	Read Ack Preserve : FFFFFFFFFFFFFFFE
	Read Ack Write : 0000000000000001
	END
}
{
	cat <<-END
	Signature : "HEST" [Hardware Error Source Table]
	Table Length : 000000E0
	Revision : 01
	END
	# The checksum's value is iasl's business: it complains when wrong.
	grep -m1 '^Checksum : ' "$dir/fields.txt" || true
	cat <<-END
	Oem ID : "VMRAS "
	Oem Table ID : "VMRSHEST"
	Oem Revision : 00000001
	Asl Compiler ID : "VMRS"
	Asl Compiler Revision : 00000001
	Error Source Count : 00000002
	END
	source_fields 0000 "$STATUS_AR" "$GSI_AR" "$ACK_AR"
	source_fields 0001 "$STATUS_AO" "$GSI_AO" "$ACK_AO"
} >"$dir/expected.txt"
diff -u "$dir/expected.txt" "$dir/fields.txt" >&2 || fail "HEST fields differ from what vmras meant"

if [ "$failed" -ne 0 ]; then
	echo "hest_iasl: disassembly kept in $dir" >&2
	exit 1
fi
rm -rf "$dir"
echo "hest_iasl: HEST with two GHESv2 sources checks out (33 fields each)"
