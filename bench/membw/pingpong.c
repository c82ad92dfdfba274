// The round trip of one cache line between two cores: the floor of any
// two-thread handshake (a parallel_for posts a job and waits for "done").
//   cc -O2 -pthread bench/membw/pingpong.c -o /tmp/pingpong && /tmp/pingpong
// Prints the best of 20 runs of 100,000 round trips, in microseconds.
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

enum { RUNS = 20, TRIPS = 100000 };
static _Alignas(64) _Atomic long ping;
static _Alignas(64) _Atomic long pong;

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void *echo(void *unused) {
  (void)unused;
  for (long i = 1; i <= (long)RUNS * TRIPS; ++i) {
    while (atomic_load_explicit(&ping, memory_order_acquire) != i)
      ;
    atomic_store_explicit(&pong, i, memory_order_release);
  }
  return NULL;
}

int main(void) {
  pthread_t t;
  if (pthread_create(&t, NULL, echo, NULL) != 0)
    return 1;
  double best = 1e9;
  for (long run = 0; run < RUNS; ++run) {
    double t0 = now_us();
    for (long i = run * TRIPS + 1; i <= (run + 1) * TRIPS; ++i) {
      atomic_store_explicit(&ping, i, memory_order_release);
      while (atomic_load_explicit(&pong, memory_order_acquire) != i)
        ;
    }
    double per = (now_us() - t0) / TRIPS;
    best = per < best ? per : best;
  }
  pthread_join(t, NULL);
  printf("round trip between two threads: %.3f us (best of %d runs of %d)\n", best, RUNS, TRIPS);
  return 0;
}
