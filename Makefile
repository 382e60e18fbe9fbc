# Thin wrapper over Meson. Six build trees:
#   build/         vmras for the host (make, make vmras)
#   build-asan/    unit tests under AddressSanitizer + UBSan (make unit)
#   build-static/  static release binaries that the lab copies into its test host (make static)
#   build-static-arm64/  the same, cross-built for aarch64 (make static-arm64, lab/run --arch arm64)
#   build-unit-arm64/    the unit tests cross-built for aarch64, run through qemu-user (make unit-arm64)
#   build-fuzz/    libFuzzer targets, clang (make fuzz-check, make fuzz)
MESON ?= meson
NINJA ?= ninja

.PHONY: all vmras deps static static-arm64 unit unit-arm64 fuzz-check fuzz lab-check check demo bench clean

all: vmras

deps:
	@tools/deps.sh all

build/build.ninja: | deps
	$(MESON) setup build

vmras: build/build.ninja
	$(NINJA) -C build

build-asan/build.ninja: | deps
	$(MESON) setup build-asan -Db_sanitize=address,undefined -Db_lundef=false

unit: build-asan/build.ninja
	$(NINJA) -C build-asan
	$(MESON) test -C build-asan --print-errorlogs

# The same suite as an aarch64 program: the pure code of both arches, the
# arm64 KVM headers' view of it, and vmras --machine none as an arm64 build
# would ship it. No sanitizers: qemu-user cannot host ASan's shadow memory.
build-unit-arm64/build.ninja: | deps
	sysroot=$$(tools/cross-sysroot.sh) && \
	$(MESON) setup build-unit-arm64 --cross-file meson/aarch64-linux-gnu.ini \
		--cross-file meson/qemu-user-aarch64.ini -Dc_args="-I$$sysroot/usr/include" \
		-Dfdt_libdir="$$sysroot/usr/lib/aarch64-linux-gnu"

unit-arm64: build-unit-arm64/build.ninja
	tools/cross-sysroot.sh >/dev/null
	$(NINJA) -C build-unit-arm64
	$(MESON) test -C build-unit-arm64 --print-errorlogs

# Everything is compiled with coverage for the fuzzer; only the fuzz targets are built.
build-fuzz/build.ninja: | deps
	CC=clang $(MESON) setup build-fuzz -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link

# The QMP input path: FUZZ_SECONDS of fuzzing from the seed corpus; new
# inputs found go to build-fuzz/corpus, not into the tree.
FUZZ_SECONDS ?= 10
FUZZ_RUN = build-fuzz/qmp-session-fuzz -max_len=8192 -dict=tests/fuzz/qmp.dict build-fuzz/corpus tests/fuzz/qmp-corpus
fuzz-check: build-fuzz/build.ninja
	$(NINJA) -C build-fuzz qmp-session-fuzz
	mkdir -p build-fuzz/corpus
	$(FUZZ_RUN) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1

fuzz: FUZZ_SECONDS = 3600
fuzz: fuzz-check

# Release (-O3): what the lab runs is what would ship, and make check thereby
# compiles the release configuration (-O3 finds warnings -O2 does not).
build-static/build.ninja: | deps
	$(MESON) setup build-static -Dbuildtype=release -Dtests=false -Dprefer_static=true -Dc_link_args=-static -Db_pie=false

static: build-static/build.ninja
	$(NINJA) -C build-static

# libfdt for arm64 comes unpacked from its package (tools/cross-sysroot.sh), not installed.
build-static-arm64/build.ninja: | deps
	sysroot=$$(tools/cross-sysroot.sh) && \
	$(MESON) setup build-static-arm64 --cross-file meson/aarch64-linux-gnu.ini -Dbuildtype=release \
		-Dtests=false -Dprefer_static=true -Db_pie=false \
		-Dc_args="-I$$sysroot/usr/include" -Dc_link_args=-static \
		-Dfdt_libdir="$$sysroot/usr/lib/aarch64-linux-gnu"

# The sysroot again, cheaply: a link needs its libfdt.a (lab/cache may have been cleared).
static-arm64: build-static-arm64/build.ninja
	tools/cross-sysroot.sh >/dev/null
	$(NINJA) -C build-static-arm64

lab-check: static static-arm64
	tests/lab/run-all

check: unit unit-arm64 fuzz-check lab-check

demo: static
	lab/demo

# Benchmarks print ratios against a peer measured in the same run; not part of make check.
bench: static vmras
	bench/poison-registry
	$(NINJA) -C build sigbus-latency-bench
	build/sigbus-latency-bench
	bench/boot-time

clean:
	rm -rf build build-asan build-static build-static-arm64 build-unit-arm64 build-fuzz
