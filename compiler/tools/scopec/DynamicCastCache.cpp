//===- DynamicCastCache.cpp - A memo in front of the C++ ABI's dynamic_cast ===//
//
// The ANTLR runtime casts every parse-tree context and token with
// dynamic_cast (entering and leaving each rule, fetching each token). Our
// classes live outside the runtime's shared library, so libstdc++ walks the
// class hierarchy comparing type names with strcmp at each step: that was a
// fifth of `scopec check`'s time. The tool defines `__dynamic_cast`, which
// the dynamic linker then binds for the whole process (as jemalloc does for
// malloc), and memoizes the answer of the real one.
//
// The memo is exact: a dynamic_cast's result depends only on the vtable of
// the source subobject (which fixes the most-derived type and the
// subobject's place in it; construction vtables are distinct), the source
// and destination types and the hint, and it is a fixed offset from the
// source pointer or a failure. One direct-mapped table per thread. (It
// assumes no library defining C++ classes is unloaded while scopec runs, so
// a vtable address is never reused for another class: scopec dlcloses
// nothing, and the JIT emits no C++ vtables.)
//
//===----------------------------------------------------------------------===//
#include <cstddef>
#include <cstdint>
#include <cxxabi.h>
#include <dlfcn.h>

namespace {

using DynamicCastFn = void *(*)(const void *, const abi::__class_type_info *,
                                const abi::__class_type_info *, std::ptrdiff_t);

DynamicCastFn realDynamicCast() {
  static const DynamicCastFn real =
      reinterpret_cast<DynamicCastFn>(dlsym(RTLD_NEXT, "__dynamic_cast"));
  return real;
}

struct Entry {
  const void *vtable = nullptr;
  const void *src = nullptr;
  const void *dst = nullptr;
  std::ptrdiff_t hint = 0;
  std::ptrdiff_t delta = 0;
  bool fails = false;
};

constexpr size_t kEntries = 1024; // a power of two
thread_local Entry cache[kEntries];

} // namespace

extern "C" void *__dynamic_cast(const void *object, const abi::__class_type_info *src,
                                const abi::__class_type_info *dst, std::ptrdiff_t hint) {
  const void *vtable = *static_cast<const void *const *>(object);
  auto key = reinterpret_cast<std::uintptr_t>(vtable) ^
             (reinterpret_cast<std::uintptr_t>(dst) >> 4) * 0x9E3779B97F4A7C15ull;
  Entry &e = cache[(key >> 4) & (kEntries - 1)];
  if (e.vtable == vtable && e.dst == dst && e.src == src && e.hint == hint)
    return e.fails ? nullptr : const_cast<char *>(static_cast<const char *>(object)) + e.delta;
  void *result = realDynamicCast()(object, src, dst, hint);
  e.vtable = vtable;
  e.src = src;
  e.dst = dst;
  e.hint = hint;
  e.fails = result == nullptr;
  e.delta = result ? static_cast<const char *>(result) - static_cast<const char *>(object) : 0;
  return result;
}
