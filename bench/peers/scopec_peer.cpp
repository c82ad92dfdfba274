// The scopec column of ../shared/bench/peers: the plug-in ABI (peer_abi.h) over the
// workloads of workloads.json, each compiled by `scopec build --pack-weights`
// from the .scope that gen_models.py writes. registry.inc (generated) lists them.
// The harness gives the params (w0, b0, w1, b1 in layer order) at peer_prepare;
// they are the models' variables in creation order, packed there by the model's
// PREFIX_pack_weights (untimed, as the plug-in ABI allows). num_threads > 1 runs
// PREFIX_run_parallel on scopec_rt's built-in pool.
#include "scopec_rt.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {
using RunFn = int32_t (*)(int64_t, const void *const *, const void *const *, void *const *, void *,
                          scopec_parallel_for_fn, void *);
using SizeFn = int64_t (*)(int64_t);
using PackFn = void (*)(const void *const *, void *const *);

struct Model {
  const char *name;
  RunFn run;
  SizeFn scratchSize;
  int numWeights;
  const int64_t *weightSizes;
  const int64_t *packedSizes;
  PackFn pack;
};

#include "registry.inc"

struct Handle {
  RunFn run;
  long long batch;
  std::vector<const void *> weights;
  std::vector<void *> packed; ///< the params packed, in 64-byte aligned blocks
  void *scratch;
  scopec_pool *pool; ///< the built-in pool for num_threads > 1
};
} // namespace

extern "C" void *peer_prepare(const char *workload, long long batch, const float *const *params,
                              int nparams, int num_threads) {
  for (const Model &m : kModels) {
    if (std::strcmp(m.name, workload) != 0)
      continue;
    if (nparams != m.numWeights || num_threads < 1)
      return nullptr;
    scopec_pool *pool = num_threads > 1 ? scopec_pool_create(num_threads) : nullptr;
    if (num_threads > 1 && !pool)
      return nullptr;
    auto *h = new Handle{m.run, batch, {}, {}, nullptr, pool};
    for (int i = 0; i < nparams; ++i) {
      size_t bytes = (static_cast<size_t>(m.packedSizes[i]) * sizeof(float) + 63) / 64 * 64;
      void *c = std::aligned_alloc(64, bytes ? bytes : 64);
      h->packed.push_back(c);
      h->weights.push_back(c);
    }
    std::vector<const void *> in(params, params + nparams);
    m.pack(in.data(), h->packed.data());
    size_t bytes = (static_cast<size_t>(m.scratchSize(batch)) + 63) / 64 * 64;
    h->scratch = std::aligned_alloc(64, bytes);
    std::memset(h->scratch, 0, bytes);
    return h;
  }
  return nullptr;
}

extern "C" void peer_run(void *handle, const float *x, float *y) {
  auto *h = static_cast<Handle *>(handle);
  const void *feeds[1] = {x};
  void *fetches[1] = {y};
  h->run(h->batch, h->weights.data(), feeds, fetches, h->scratch, h->pool ? scopec_parallel_for : nullptr, h->pool);
}

extern "C" void peer_release(void *handle) {
  auto *h = static_cast<Handle *>(handle);
  std::free(h->scratch);
  for (void *c : h->packed)
    std::free(c);
  scopec_pool_free(h->pool);
  delete h;
}
