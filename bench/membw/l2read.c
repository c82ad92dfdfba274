// How fast one core reads a buffer that fits in L2 (the batch-1 bound of
// issue 6: a batch-1 dense layer must read its whole weight matrix once).
//   cc -O2 -mavx512f bench/membw/l2read.c -o /tmp/l2read && /tmp/l2read 802816 401408
// Prints, per size, the median of 2001 passes in microseconds and GB/s.
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  for (int arg = 1; arg < argc; ++arg) {
    size_t bytes = strtoull(argv[arg], NULL, 10) / 1024 * 1024;
    float *buf = aligned_alloc(64, bytes);
    for (size_t i = 0; i < bytes / 4; ++i)
      buf[i] = (float)(i % 7);
    enum { RUNS = 2001 };
    static double t[RUNS];
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (int r = 0; r < RUNS; ++r) {
      double t0 = now_us();
      for (size_t i = 0; i < bytes / 4; i += 64) {
        s0 = _mm512_add_ps(s0, _mm512_load_ps(buf + i));
        s1 = _mm512_add_ps(s1, _mm512_load_ps(buf + i + 16));
        s2 = _mm512_add_ps(s2, _mm512_load_ps(buf + i + 32));
        s3 = _mm512_add_ps(s3, _mm512_load_ps(buf + i + 48));
      }
      t[r] = now_us() - t0;
    }
    qsort(t, RUNS, sizeof t[0], cmp);
    float sink = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
    printf("%zu bytes: median %.2f us per pass, %.1f GB/s (checksum %g)\n", bytes, t[RUNS / 2],
           bytes / t[RUNS / 2] / 1e3, sink);
    free(buf);
  }
  return 0;
}
