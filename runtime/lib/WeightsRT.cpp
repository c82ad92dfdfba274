//===- WeightsRT.cpp - scopec_rt.h: weights bound from an .npz by name ----===//
#include "scopec_rt.h"

#include "scopec/Runtime/Npy.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

struct scopec_weights {
  /// The values, in the order of the names, each in a 64-byte aligned block:
  /// the generated code reads rows of weights with 64-byte vector loads,
  /// which cost twice as much when they straddle cache lines.
  struct Free {
    void operator()(void *p) const { std::free(p); }
  };
  std::vector<std::unique_ptr<void, Free>> blocks;
  std::vector<const void *> pointers;
};

namespace {

void setError(char *err, size_t errlen, const std::string &msg) {
  if (err && errlen > 0)
    std::snprintf(err, errlen, "%s", msg.c_str());
}

} // namespace

extern "C" scopec_weights *scopec_weights_load(const char *npz_path, int64_t count, const char *const *names,
                                               const int64_t *sizes, char *err, size_t errlen) {
  try {
    if (!npz_path || count < 0 || (count > 0 && (!names || !sizes))) {
      setError(err, errlen, "scopec_weights_load: invalid arguments");
      return nullptr;
    }
    scopec::npy::NamedArrays arrays;
    std::string error;
    if (!scopec::npy::readNpzFile(npz_path, arrays, error)) {
      setError(err, errlen, error);
      return nullptr;
    }
    std::map<std::string, scopec::npy::Array *> byName;
    for (auto &[name, a] : arrays)
      byName[name] = &a;
    auto w = std::make_unique<scopec_weights>();
    for (int64_t i = 0; i < count; ++i) {
      auto it = byName.find(names[i] ? names[i] : "");
      if (it == byName.end()) {
        setError(err, errlen, std::string(npz_path) + ": no array named '" + (names[i] ? names[i] : "") + "'");
        return nullptr;
      }
      scopec::npy::Array &a = *it->second;
      if (a.type != scopec::npy::ElemType::Float32 || a.numElements() != sizes[i]) {
        setError(err, errlen, std::string(npz_path) + ": '" + it->first + "' is " +
                                  scopec::npy::elemTypeName(a.type) + a.shapeString() + ", the model wants " +
                                  std::to_string(sizes[i]) + " float32 elements");
        return nullptr;
      }
      size_t bytes = (a.data.size() + 63) / 64 * 64;
      void *block = std::aligned_alloc(64, bytes ? bytes : 64);
      if (!block)
        throw std::bad_alloc();
      w->blocks.emplace_back(block);
      std::memcpy(block, a.data.data(), a.data.size());
      w->pointers.push_back(block);
    }
    return w.release();
  } catch (const std::bad_alloc &) {
    setError(err, errlen, "scopec_weights_load: out of memory");
    return nullptr;
  }
}

extern "C" const void *const *scopec_weights_pointers(const scopec_weights *w) {
  return w ? w->pointers.data() : nullptr;
}

extern "C" void scopec_weights_free(scopec_weights *w) { delete w; }

extern "C" scopec_weights *scopec_weights_pack(const scopec_weights *w, int64_t count, const int64_t *packed_sizes,
                                               void (*pack)(const void *const *, void *const *)) {
  if (!w || !pack || count != static_cast<int64_t>(w->pointers.size()) || (count > 0 && !packed_sizes))
    return nullptr;
  try {
    auto out = std::make_unique<scopec_weights>();
    std::vector<void *> dst;
    for (int64_t i = 0; i < count; ++i) {
      if (packed_sizes[i] < 0)
        return nullptr;
      size_t bytes = (static_cast<size_t>(packed_sizes[i]) * sizeof(float) + 63) / 64 * 64;
      void *block = std::aligned_alloc(64, bytes ? bytes : 64);
      if (!block)
        throw std::bad_alloc();
      out->blocks.emplace_back(block);
      out->pointers.push_back(block);
      dst.push_back(block);
    }
    pack(w->pointers.data(), dst.data());
    return out.release();
  } catch (const std::bad_alloc &) {
    return nullptr;
  }
}
