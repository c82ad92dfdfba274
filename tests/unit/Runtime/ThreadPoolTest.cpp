//===- ThreadPoolTest.cpp - scopec_pool and scopec_parallel_for ----------===//
//
// Every unit runs exactly once, on the thread its share says, whether the
// workers are polling, asleep, or slower than the caller (which then sleeps).
//
//===----------------------------------------------------------------------===//
#include "scopec_rt.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace {
struct Record {
  std::vector<std::atomic<int>> runs;
  std::vector<std::atomic<int64_t>> calls; ///< begin of each call, -1 if none
  std::chrono::microseconds workerDelay{0}; ///< how long shares after the first take
  explicit Record(int64_t n) : runs(static_cast<size_t>(n)), calls(static_cast<size_t>(n)) {}
};

void countUnits(void *ctx, int64_t begin, int64_t end) {
  auto *r = static_cast<Record *>(ctx);
  if (begin > 0 && r->workerDelay.count() > 0)
    std::this_thread::sleep_for(r->workerDelay);
  for (int64_t i = begin; i < end; ++i)
    r->runs[static_cast<size_t>(i)].fetch_add(1);
  r->calls[static_cast<size_t>(begin)].fetch_add(1);
}

/// Runs n units on `pool`, checks each ran once and each share [t*n/T,
/// (t+1)*n/T) was one call.
void expectEachUnitOnce(scopec_pool *pool, int64_t n, std::chrono::microseconds workerDelay = {}) {
  Record r(n);
  r.workerDelay = workerDelay;
  scopec_parallel_for(pool, n, countUnits, &r);
  for (int64_t i = 0; i < n; ++i)
    ASSERT_EQ(r.runs[static_cast<size_t>(i)].load(), 1) << "unit " << i << " of " << n;
  int threads = scopec_pool_threads(pool);
  int64_t calls = 0;
  for (int64_t i = 0; i < n; ++i)
    calls += r.calls[static_cast<size_t>(i)].load();
  int64_t nonEmpty = 0;
  for (int t = 0; t < threads; ++t)
    nonEmpty += n * t / threads < n * (t + 1) / threads;
  EXPECT_EQ(calls, n <= 1 || threads == 1 ? (n > 0 ? 1 : 0) : nonEmpty) << n << " units on " << threads;
}
} // namespace

TEST(ThreadPool, CreateRejectsNoThreadsAndReportsItsSize) {
  EXPECT_EQ(scopec_pool_create(0), nullptr);
  EXPECT_EQ(scopec_pool_create(-3), nullptr);
  EXPECT_EQ(scopec_pool_threads(nullptr), 1);
  scopec_pool *p = scopec_pool_create(3);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(scopec_pool_threads(p), 3);
  scopec_pool_free(p);
  scopec_pool_free(nullptr); // no-op
}

TEST(ThreadPool, NullPoolRunsEverythingInOneCall) {
  expectEachUnitOnce(nullptr, 0);
  expectEachUnitOnce(nullptr, 1);
  expectEachUnitOnce(nullptr, 9);
}

TEST(ThreadPool, BackToBackJobsRunEachUnitOnce) {
  for (int threads : {1, 2, 3, 4}) {
    scopec_pool *p = scopec_pool_create(threads);
    ASSERT_NE(p, nullptr);
    for (int rep = 0; rep < 300; ++rep)
      for (int64_t n : {0, 1, 2, 3, 5, 64})
        expectEachUnitOnce(p, n);
    scopec_pool_free(p);
  }
}

TEST(ThreadPool, WorkersThatFellAsleepWakeUp) {
  // Longer than the workers poll (kSpins): they sleep on the condition variable.
  scopec_pool *p = scopec_pool_create(3);
  ASSERT_NE(p, nullptr);
  for (int rep = 0; rep < 8; ++rep) {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    expectEachUnitOnce(p, 6);
  }
  scopec_pool_free(p);
}

TEST(ThreadPool, CallerSleepsUntilSlowWorkersFinish) {
  // The workers' shares take 4 ms, longer than the caller polls: it sleeps
  // and is woken by the last worker.
  scopec_pool *p = scopec_pool_create(2);
  ASSERT_NE(p, nullptr);
  for (int rep = 0; rep < 4; ++rep)
    expectEachUnitOnce(p, 4, std::chrono::microseconds(4000));
  scopec_pool_free(p);
}

TEST(ThreadPool, FreeStopsPollingAndSleepingWorkers) {
  scopec_pool *polling = scopec_pool_create(4);
  ASSERT_NE(polling, nullptr);
  expectEachUnitOnce(polling, 8);
  scopec_pool_free(polling); // right after a job: workers still poll
  scopec_pool *asleep = scopec_pool_create(4);
  ASSERT_NE(asleep, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  scopec_pool_free(asleep);
}
