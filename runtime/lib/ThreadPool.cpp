//===- ThreadPool.cpp - scopec_pool: the built-in pool for PREFIX_run_parallel ===//
//
// A fixed set of workers that run the units of one parallel_for at a time: the
// caller runs share 0, worker t share t, each a contiguous range [t*n/T, (t+1)*n/T).
// The generated code computes every output the same way in any unit, so the
// results do not depend on the thread count or on which thread ran what.
// A forward pass makes one parallel_for per large op, microseconds apart, so
// workers and the caller spin briefly before they sleep on a condition variable.
//
//===----------------------------------------------------------------------===//
#include "scopec_rt.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

namespace {
constexpr int kSpins = 1 << 14; ///< about 50 µs of polling before sleeping

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
} // namespace

struct scopec_pool {
  int threads = 1;
  std::vector<std::thread> workers;
  std::mutex mu;
  std::condition_variable start, finished;
  std::atomic<uint64_t> generation{0}; ///< bumped (under mu) for each parallel_for
  std::atomic<int> pending{0};         ///< workers still running the current one
  std::atomic<bool> stopping{false};
  // The current parallel_for: written before `generation` is bumped.
  int64_t n = 0;
  scopec_task task = nullptr;
  void *ctx = nullptr;

  void share(int t) {
    int64_t begin = n * t / threads, end = n * (t + 1) / threads;
    if (begin < end)
      task(ctx, begin, end);
  }

  void work(int t) {
    uint64_t seen = 0;
    for (;;) {
      for (int i = 0; i < kSpins && generation.load(std::memory_order_acquire) == seen && !stopping.load(); ++i)
        relax();
      if (generation.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mu);
        start.wait(lock, [&] { return stopping.load() || generation.load() != seen; });
      }
      if (stopping.load())
        return;
      seen = generation.load(std::memory_order_acquire);
      share(t);
      if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mu);
        finished.notify_one();
      }
    }
  }
};

extern "C" scopec_pool *scopec_pool_create(int threads) {
  if (threads < 1)
    return nullptr;
  auto *p = new (std::nothrow) scopec_pool;
  if (!p)
    return nullptr;
  p->threads = threads;
  try {
    for (int t = 1; t < threads; ++t)
      p->workers.emplace_back([p, t] { p->work(t); });
  } catch (...) { // no more threads: stop the ones started
    p->threads = static_cast<int>(p->workers.size()) + 1;
    scopec_pool_free(p);
    return nullptr;
  }
  return p;
}

extern "C" int scopec_pool_threads(const scopec_pool *pool) { return pool ? pool->threads : 1; }

extern "C" void scopec_parallel_for(void *pool_, int64_t n, scopec_task task, void *ctx) {
  auto *pool = static_cast<scopec_pool *>(pool_);
  if (!pool || pool->threads == 1 || n <= 1) {
    if (n > 0)
      task(ctx, 0, n);
    return;
  }
  pool->n = n;
  pool->task = task;
  pool->ctx = ctx;
  pool->pending.store(pool->threads - 1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(pool->mu);
    pool->generation.fetch_add(1, std::memory_order_release);
  }
  pool->start.notify_all();
  pool->share(0);
  for (int i = 0; i < kSpins && pool->pending.load(std::memory_order_acquire) != 0; ++i)
    relax();
  if (pool->pending.load(std::memory_order_acquire) != 0) {
    std::unique_lock<std::mutex> lock(pool->mu);
    pool->finished.wait(lock, [&] { return pool->pending.load() == 0; });
  }
}

extern "C" void scopec_pool_free(scopec_pool *pool) {
  if (!pool)
    return;
  {
    std::lock_guard<std::mutex> lock(pool->mu);
    pool->stopping.store(true);
  }
  pool->start.notify_all();
  for (std::thread &t : pool->workers)
    t.join();
  delete pool;
}
