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
constexpr int kSpins = 1 << 14; ///< polls before sleeping: ~120 µs (a pause took ~9.5 ns here)
constexpr int kEagerSpins = 1 << 12; ///< the first ~2 µs of it without `pause`

/// Polling step i: the first ones reload at once (a batch-1 forward pass
/// has its next parallel_for within a microsecond: `pause` would add up to
/// ~140 cycles to noticing it), later ones pause.
inline void relax(int i) {
#if defined(__x86_64__) || defined(__i386__)
  if (i >= kEagerSpins)
    __builtin_ia32_pause();
#else
  (void)i;
#endif
}
} // namespace

struct scopec_pool {
  /// The current parallel_for, one cache line that spinning workers poll:
  /// n, task and ctx are written before `generation` is bumped.
  struct alignas(64) Job {
    std::atomic<uint64_t> generation{0};
    std::atomic<bool> stopping{false};
    int64_t n = 0;
    scopec_task task = nullptr;
    void *ctx = nullptr;
  } job;
  alignas(64) std::atomic<int> pending{0}; ///< workers still running the current job
  // The slow path, for workers and a caller that stopped spinning: the mutex
  // and condition variables are touched only when one of them sleeps.
  alignas(64) std::atomic<int> sleepers{0};
  std::atomic<bool> callerSleeps{false};
  std::mutex mu;
  std::condition_variable start, finished;
  int threads = 1;
  std::vector<std::thread> workers;

  void share(int t) {
    int64_t begin = job.n * t / threads, end = job.n * (t + 1) / threads;
    if (begin < end)
      job.task(job.ctx, begin, end);
  }

  bool jobAfter(uint64_t seen) const {
    return job.generation.load(std::memory_order_acquire) != seen || job.stopping.load(std::memory_order_acquire);
  }

  void work(int t) {
    uint64_t seen = 0;
    for (;;) {
      for (int i = 0; i < kSpins && !jobAfter(seen); ++i)
        relax(i);
      if (!jobAfter(seen)) {
        // Sleep. The caller bumps `generation`, then reads `sleepers`; this
        // thread counts itself in `sleepers`, then reads `generation` (all
        // sequentially consistent): one of the two sees the other.
        std::unique_lock<std::mutex> lock(mu);
        sleepers.fetch_add(1);
        start.wait(lock, [&] { return job.stopping.load() || job.generation.load() != seen; });
        sleepers.fetch_sub(1);
      }
      if (job.stopping.load())
        return;
      seen = job.generation.load(std::memory_order_acquire);
      share(t);
      // The same handshake with a caller that sleeps on `finished`.
      if (pending.fetch_sub(1) == 1 && callerSleeps.load()) {
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
  pool->job.n = n;
  pool->job.task = task;
  pool->job.ctx = ctx;
  pool->pending.store(pool->threads - 1, std::memory_order_relaxed);
  pool->job.generation.fetch_add(1);
  if (pool->sleepers.load() > 0) {
    { std::lock_guard<std::mutex> lock(pool->mu); }
    pool->start.notify_all();
  }
  pool->share(0);
  for (int i = 0; i < kSpins && pool->pending.load(std::memory_order_acquire) != 0; ++i)
    relax(i);
  if (pool->pending.load(std::memory_order_acquire) != 0) {
    std::unique_lock<std::mutex> lock(pool->mu);
    pool->callerSleeps.store(true);
    pool->finished.wait(lock, [&] { return pool->pending.load() == 0; });
    pool->callerSleeps.store(false);
  }
}

extern "C" void scopec_pool_free(scopec_pool *pool) {
  if (!pool)
    return;
  {
    std::lock_guard<std::mutex> lock(pool->mu);
    pool->job.stopping.store(true);
  }
  pool->start.notify_all();
  for (std::thread &t : pool->workers)
    t.join();
  delete pool;
}
