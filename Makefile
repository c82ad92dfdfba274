# scopec: two commands do all set-up on a fresh Debian 12 machine (as root):
#   make run    install what is missing, build, run scopec on examples/
#   make test   install what is missing, build, run the whole test suite
BUILD   ?= build
JOBS    ?= 2
SCOPEC  := $(BUILD)/bin/scopec
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test test-unit test-golden test-e2e test-conformance test-robustness test-asan test-tsan fuzz fuzz-build clean

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

# The whole suite, then the front-end tests again under ASan+UBSan (issue 8:
# CI runs them sanitized; its own tree, only the test binaries they need).
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) test-asan ASAN_LABELS='unit|golden' \
	  ASAN_TARGETS='scopec_unit_tests scopec_scanner_tests scopec_golden_tests scopec_fuzz_regression_tests'
	$(MAKE) test-tsan

test-unit test-golden test-e2e test-conformance test-robustness: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L $(subst test-,,$@)

# AddressSanitizer + UndefinedBehaviorSanitizer build in its own tree; runs
# every test label (the robustness suite's time and memory limits are loose
# enough for the instrumented binary). jemalloc is off: ASan brings its own.
ASAN_BUILD ?= build-asan
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DSCOPEC_USE_JEMALLOC=OFF \
	  -DCMAKE_CXX_FLAGS="$(ASAN_FLAGS) -Wno-maybe-uninitialized" -DCMAKE_EXE_LINKER_FLAGS="$(ASAN_FLAGS)" \
	  -DCMAKE_SHARED_LINKER_FLAGS="$(ASAN_FLAGS)"
	cmake --build $(ASAN_BUILD) -j $(JOBS) $(if $(ASAN_TARGETS),--target $(ASAN_TARGETS))
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS) -L '$(or $(ASAN_LABELS),unit|golden|conformance|e2e)'

# The runtime's thread pool and its tests under ThreadSanitizer (a few
# seconds): the polling/sleeping handshakes of scopec_parallel_for.
test-tsan: deps
	@mkdir -p $(BUILD)
	$(CXX) -std=c++20 -O1 -g -fsanitize=thread -Iruntime/include runtime/lib/ThreadPool.cpp \
	  tests/unit/Runtime/ThreadPoolTest.cpp -lgtest -lgtest_main -pthread -o $(BUILD)/pool_tsan_tests
	TSAN_OPTIONS=halt_on_error=1 $(BUILD)/pool_tsan_tests

# libFuzzer targets (clang, ASan+UBSan) in their own tree. `make fuzz` runs
# each for FUZZ_SECONDS on a corpus seeded from examples/ (and
# ../shared/conformance when present); findings land in fuzz/findings/.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 120
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
fuzz-build:
	@scripts/install-deps.sh fuzz
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DSCOPEC_FUZZ=ON -DSCOPEC_USE_JEMALLOC=OFF -DSCOPEC_WERROR=OFF \
	  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS="$(FUZZ_FLAGS)" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_parser fuzz_frontend fuzz_npy

fuzz: fuzz-build
	scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
