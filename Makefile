# scopec: two commands do all set-up on a fresh Debian 12 machine (as root):
#   make run    install what is missing, build, run scopec on examples/
#   make test   install what is missing, build, run the whole test suite
BUILD   ?= build
JOBS    ?= 2
SCOPEC  := $(BUILD)/bin/scopec
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test test-unit test-golden test-e2e test-conformance test-robustness clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

configure: $(BUILD)/build.ninja

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job: lint the examples. Some examples are TF programs that fail on
# purpose (the articles show the error), so exit code 1 (findings) is fine;
# --verify then checks that each file reports exactly what it annotates.
run: build
	@$(SCOPEC) check examples/; rc=$$?; [ $$rc -le 1 ] || exit $$rc
	$(SCOPEC) check --verify examples/

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-unit test-golden test-e2e test-conformance test-robustness: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L $(subst test-,,$@)

clean:
	rm -rf $(BUILD)
