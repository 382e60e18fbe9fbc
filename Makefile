# Thin wrapper over Meson. Three build trees:
#   build/         vmras for the host (make, make vmras)
#   build-asan/    unit tests under AddressSanitizer + UBSan (make unit)
#   build-static/  static binaries that the lab copies into its test host (make static)
MESON ?= meson
NINJA ?= ninja

.PHONY: all vmras deps static unit lab-check check demo bench clean

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

build-static/build.ninja: | deps
	$(MESON) setup build-static -Dtests=false -Dprefer_static=true -Dc_link_args=-static -Db_pie=false

static: build-static/build.ninja
	$(NINJA) -C build-static

lab-check: static
	tests/lab/run-all

check: unit lab-check

demo: static
	lab/demo

# Benchmarks print ratios against a peer measured in the same run; not part of make check.
bench: static vmras
	bench/poison-registry
	$(NINJA) -C build sigbus-latency-bench
	build/sigbus-latency-bench
	bench/boot-time

clean:
	rm -rf build build-asan build-static
