# The two commands README.md opens with:
#   make run    build, create ./abusedesk.db, feed the demo reports, show the tickets
#   make check  install what the tests need, build with sanitizers, run every test
BUILD ?= build

.PHONY: all run check deps-run deps-test deps-bench build bench fuzz clean

all: build

deps-run:
	@./tools/install-deps.sh run

deps-test:
	@./tools/install-deps.sh test

deps-bench:
	@./tools/install-deps.sh bench

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dbuildtype=release

build: deps-run $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	@./tools/demo.sh

check: deps-test
	@./tools/check.sh

bench: deps-bench build
	@./bench/run.sh

fuzz: deps-test
	@./tools/fuzz.sh

clean:
	rm -rf $(BUILD) build-gcc build-clang build-fuzz
