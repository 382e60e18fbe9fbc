# Shared by acpi_iasl.sh (x86) and arm64_acpi_iasl.sh: iasl runs that fail on
# any complaint, matching helpers over the disassembly, and the HEST checked
# field by field. The caller sets NAME (its messages' prefix) before sourcing,
# and dir (the tables being checked) and ncpus as it goes.
# A cross build's programs run through its emulator (meson's exe_wrapper,
# e.g. qemu-aarch64); empty for a native build.
wrap=${MESON_EXE_WRAPPER:-}
if ! command -v iasl >/dev/null; then
	echo "$NAME: iasl not found; install acpica-tools (tools/deps.sh lab)" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vmras-$NAME.XXXXXX")
failed=0
fail() { echo "$NAME: FAIL ($ncpus cpus): $*" >&2; failed=1; }

# Runs iasl, keeps its console text in $1.log and fails on anything that
# reads like a complaint. The compiler's clean summary names its counts.
run_iasl() {
	local log=$1.log; shift
	(cd "$dir" && iasl "$@") >"$dir/$log" 2>&1 || fail "iasl $* exited $?"
	if grep -Eiv 'Compilation successful\. 0 Errors, 0 Warnings' "$dir/$log" |
		grep -Ei 'warning|error|incorrect|invalid|unknown|too long|not contain|ignoring' >&2; then
		fail "iasl $* complained (see $dir/$log)"
	fi
}

# The disassembler also writes complaints about a data table into the .dsl:
# as comment lines, matched by word, and as a comment after a field's value
# ("Checksum : 00 /* Incorrect checksum ... */"). Field lines are not
# matched by word, as their names say "Error", nor is the raw hex dump.
dsl_quiet() {
	if { grep -E '^\[.*/\*' "$dir/$1.dsl"
	     grep -Ev '^\[|^ +[0-9A-F]{4}: ' "$dir/$1.dsl" |
		grep -Ei 'warning|error|incorrect|invalid|unknown|too long|terminates|not contain|ignoring'
	   } >&2; then
		fail "$1.dsl carries a complaint"
	fi
}

# Disassemblies with whitespace squeezed, per line (norm) or all on one
# line (flat) so that multi-line ASL can be matched as one string.
norm() { sed -E 's/[[:space:]]+/ /g' "$dir/$1.dsl"; }
flat() { tr '\n' ' ' <"$dir/$1.dsl" | sed -E 's/[[:space:]]+/ /g'; }
has() {
	local t=$1 text; shift
	text=$(flat "$t")
	for want in "$@"; do
		grep -Fq -- "$want" <<<"$text" || fail "$t.dsl lacks '$want'"
	done
}
count() {
	local n; n=$(flat "$1" | { grep -Fo -- "$2" || true; } | wc -l)
	[ "$n" -eq "$3" ] || fail "$1.dsl has $n x '$2', want $3"
}

# One GHESv2 entry as iasl decodes it, "Field : Value" per line: one record
# of one section per block of GHES_BLOCK_LEN, a 64-bit error status
# pointer, and the read-ack register the arch chose (ACK: its space, bit
# width and access width as iasl prints them).
hest_source() { # ID STATUS_ADDR NOTIFY VECTOR ACK_SPACE ACK_BITS ACK_ACCESS ACK_ADDR
	cat <<-END
	Subtable Type : 000A [Generic Hardware Error Source V2]
	Source Id : $1
	Related Source Id : FFFF
	Reserved : 00
	Enabled : 01
	Records To Preallocate : 00000001
	Max Sections Per Record : 00000001
	Max Raw Data Length : $GHES_BLOCK_LEN
	Error Status Address : [Generic Address Structure]
	Space ID : 00 [SystemMemory]
	Bit Width : 40
	Bit Offset : 00
	Encoded Access Width : 04 [QWord Access:64]
	Address : $2
	Notify : [Hardware Error Notification Structure]
	Notify Type : $3
	Notify Length : 1C
	Configuration Write Enable : 0000
	PollInterval : 00000000
	Vector : $4
	Polling Threshold Value : 00000000
	Polling Threshold Window : 00000000
	Error Threshold Value : 00000000
	Error Threshold Window : 00000000
	Error Status Block Length : $GHES_BLOCK_LEN
	Read Ack Register : [Generic Address Structure]
	Space ID : $5
	Bit Width : $6
	Bit Offset : 00
	Encoded Access Width : $7
	Address : $8
	Read Ack Preserve : FFFFFFFFFFFFFFFE
	Read Ack Write : 0000000000000001
	END
}

# Compares the HEST field by field with vmras's header for two sources and
# the entries its arguments print (hest_source calls, as a function name).
check_hest() { # SOURCES_FN
	sed -nE 's/^\[[0-9A-F]+h [0-9]+ +[0-9]+\] +(.*[^ ]) +: (.*)$/\1 : \2/p' "$dir/HEST.dsl" |
		sed -E 's/[[:space:]]+/ /g; s/ $//' >"$dir/HEST.fields"
	{
		cat <<-END
		Signature : "HEST" [Hardware Error Source Table]
		Table Length : 000000E0
		Revision : 01
		END
		# The checksum's value is iasl's business: it complains when wrong.
		grep -m1 '^Checksum : ' "$dir/HEST.fields" || true
		cat <<-END
		Oem ID : "VMRAS "
		Oem Table ID : "VMRSHEST"
		Oem Revision : 00000001
		Asl Compiler ID : "VMRS"
		Asl Compiler Revision : 00000001
		Error Source Count : 00000002
		END
		"$1"
	} >"$dir/HEST.expected"
	diff -u "$dir/HEST.expected" "$dir/HEST.fields" >&2 || fail "HEST fields differ from what vmras meant"
}

# iasl cannot load an RSDP from a file: its bytes are checked here (revision
# 2, both checksums, the XSDT at GPA_XSDT, which the dump's config.sh sets).
check_rsdp() {
	local -a b
	read -r -a b <<<"$(od -An -v -tu1 "$dir/RSDP.dat" | tr '\n' ' ')"
	[ "${#b[@]}" -eq 36 ] || { fail "RSDP is ${#b[@]} bytes"; return; }
	[ "$(head -c 8 "$dir/RSDP.dat")" = "RSD PTR " ] || fail "RSDP signature"
	local s=0 i
	for ((i = 0; i < 20; i++)); do s=$((s + b[i])); done
	((s % 256 == 0)) || fail "RSDP checksum (first 20 bytes) is off"
	for ((i = 20; i < 36; i++)); do s=$((s + b[i])); done
	((s % 256 == 0)) || fail "RSDP extended checksum is off"
	[ "${b[15]}" -eq 2 ] || fail "RSDP revision ${b[15]}"
	local x=0
	for ((i = 31; i >= 24; i--)); do x=$((x * 256 + b[i])); done
	[ "$(printf '%016X' "$x")" = "$GPA_XSDT" ] || fail "RSDP XSDT address $x"
}
