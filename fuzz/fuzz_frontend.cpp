//===- fuzz_frontend.cpp - libFuzzer entry point (see FuzzTargets.h) ---------===//
#include "FuzzTargets.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!scopec::fuzz::frontend({reinterpret_cast<const char *>(data), size}))
    __builtin_trap();
  return 0;
}
