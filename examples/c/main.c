/* Links two models compiled by scopec into one C program and prints their
 * outputs. Build (see README "Link a model into a C program"):
 *
 *   scopec build ../003_variable_scope_in_dl/shared_model.scope -o mlp --prefix mlp
 *   scopec build ../000_two_kinds_of_variables/discriminator.scope -o disc --prefix disc
 *   cc -O2 -o demo main.c mlp.o disc.o -lm && ./demo 3
 *
 * The inputs are a fixed function of the element index, x[i] = sin(0.37 i),
 * so the printed values can be checked against any other implementation. */
#include "disc.h"
#include "mlp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static float *filled(int64_t n) {
  float *p = malloc((size_t)n * sizeof(float));
  for (int64_t i = 0; i < n; ++i)
    p[i] = (float)sin(0.37 * (double)i);
  return p;
}

static void *scratch(int64_t bytes) {
  size_t size = ((size_t)bytes + 63) / 64 * 64;
  return aligned_alloc(64, size ? size : 64);
}

static int print(const char *name, const float *v, int64_t n) {
  printf("%s", name);
  for (int64_t i = 0; i < n; ++i)
    printf(" %.9g", v[i]);
  printf("\n");
  return 0;
}

int main(int argc, char **argv) {
  int64_t batch = argc > 1 ? atoll(argv[1]) : 2;

  /* The MLP of seed 003: two placeholders sharing one set of weights. */
  float *x1 = filled(MLP_FEED0_SIZE(batch)), *x2 = filled(MLP_FEED1_SIZE(batch));
  float *y1 = malloc(sizeof(float) * (size_t)MLP_FETCH0_SIZE(batch));
  float *y2 = malloc(sizeof(float) * (size_t)MLP_FETCH1_SIZE(batch));
  const void *mlpFeeds[MLP_NUM_FEEDS] = {x1, x2};
  void *mlpFetches[MLP_NUM_FETCHES] = {y1, y2};
  void *s1 = scratch(mlp_scratch_size(batch));
  int rc = mlp_run(batch, mlpFeeds, mlpFetches, s1);
  if (rc != MLP_OK) {
    fprintf(stderr, "mlp_run failed: %d\n", rc);
    return 1;
  }
  print(MLP_FETCH0_NAME, y1, MLP_FETCH0_SIZE(batch));
  print(MLP_FETCH1_NAME, y2, MLP_FETCH1_SIZE(batch));

  /* The GAN discriminator of seed 000, called on two inputs with reuse. */
  float *r = filled(DISC_FEED0_SIZE(batch)), *g = filled(DISC_FEED1_SIZE(batch));
  const void *discFeeds[DISC_NUM_FEEDS] = {r, g};
  float *outs[DISC_NUM_FETCHES];
  void *discFetches[DISC_NUM_FETCHES];
  for (int i = 0; i < DISC_NUM_FETCHES; ++i)
    discFetches[i] = outs[i] = malloc(sizeof(float) * (size_t)(batch * 1));
  void *s2 = scratch(disc_scratch_size(batch));
  rc = disc_run(batch, discFeeds, discFetches, s2);
  if (rc != DISC_OK) {
    fprintf(stderr, "disc_run failed: %d\n", rc);
    return 1;
  }
  print(DISC_FETCH0_NAME, outs[0], batch);

  /* Errors are codes, not crashes. */
  printf("bad batch -> %d, null scratch -> %d\n", mlp_run(0, mlpFeeds, mlpFetches, s1),
         mlp_run(batch, mlpFeeds, mlpFetches, NULL));
  free(x1); free(x2); free(y1); free(y2); free(s1); free(r); free(g); free(s2);
  for (int i = 0; i < DISC_NUM_FETCHES; ++i)
    free(outs[i]);
  return 0;
}
