// The scopec column of ../shared/bench/peers: the plug-in ABI (peer_abi.h)
// over the three workloads compiled by `scopec build --weights-at-runtime`.
// The harness gives the params (w0, b0, w1, b1 in layer order) at
// peer_prepare; they are the models' variables in creation order.
#include "discriminator.h"
#include "image_filter.h"
#include "mlp.h"

#include <cstdlib>
#include <cstring>
#include <string>

namespace {
using RunFn = int32_t (*)(int64_t, const void *const *, const void *const *, void *const *, void *);
using SizeFn = int64_t (*)(int64_t);

struct Handle {
  RunFn run;
  long long batch;
  const void *weights[8];
  void *scratch;
};
} // namespace

extern "C" void *peer_prepare(const char *workload, long long batch, const float *const *params,
                              int nparams, int num_threads) {
  RunFn run;
  SizeFn size;
  int want;
  std::string w = workload;
  if (w == "mlp") {
    run = mlp_run, size = mlp_scratch_size, want = MLP_NUM_WEIGHTS;
  } else if (w == "image_filter") {
    run = image_filter_run, size = image_filter_scratch_size, want = IMAGE_FILTER_NUM_WEIGHTS;
  } else if (w == "discriminator") {
    run = discriminator_run, size = discriminator_scratch_size, want = DISCRIMINATOR_NUM_WEIGHTS;
  } else {
    return nullptr;
  }
  if (nparams != want || num_threads != 1) // one thread for now
    return nullptr;
  auto *h = new Handle{run, batch, {}, nullptr};
  for (int i = 0; i < nparams; ++i)
    h->weights[i] = params[i];
  size_t bytes = (static_cast<size_t>(size(batch)) + 63) / 64 * 64;
  h->scratch = std::aligned_alloc(64, bytes);
  std::memset(h->scratch, 0, bytes);
  return h;
}

extern "C" void peer_run(void *handle, const float *x, float *y) {
  auto *h = static_cast<Handle *>(handle);
  const void *feeds[1] = {x};
  void *fetches[1] = {y};
  h->run(h->batch, h->weights, feeds, fetches, h->scratch);
}

extern "C" void peer_release(void *handle) {
  auto *h = static_cast<Handle *>(handle);
  std::free(h->scratch);
  delete h;
}
