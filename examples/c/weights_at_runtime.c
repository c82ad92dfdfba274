/* A model whose weights are bound at run time from an .npz by variable name
 * (see README "Weights at run time"):
 *
 *   scopec build ../003_variable_scope_in_dl/shared_model.scope -o mlp --prefix mlp --weights-at-runtime
 *   scopec weights ../003_variable_scope_in_dl/shared_model.scope -o w.npz --seed 7
 *   cc -O2 -I BUILD/runtime-include -o demo_rt weights_at_runtime.c mlp.o \
 *      BUILD/lib/libscopec_rt.a -lzip -lstdc++ -lm
 *   ./demo_rt w.npz 2
 *
 * Built with --pack-weights instead, the model reads its matrix products'
 * weights in a packed layout: the program packs them once after loading
 * (scopec_weights_pack with mlp_pack_weights), with the same results.
 *
 * The inputs are x[i] = sin(0.37 i), as in main.c. */
#include "mlp.h"
#include "scopec_rt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s WEIGHTS.npz [BATCH]\n", argv[0]);
    return 2;
  }
  int64_t batch = argc > 2 ? atoll(argv[2]) : 2;
  char err[256];
  scopec_weights *w = scopec_weights_load(argv[1], MLP_NUM_WEIGHTS, mlp_weight_names, mlp_weight_sizes, err, sizeof err);
  if (!w) {
    fprintf(stderr, "error: %s\n", err);
    return 1;
  }
#ifdef MLP_WEIGHT0_PACKED_SIZE /* built with --pack-weights: pack once, then run */
  scopec_weights *packed = scopec_weights_pack(w, MLP_NUM_WEIGHTS, mlp_packed_weight_sizes, mlp_pack_weights);
  scopec_weights_free(w);
  if (!(w = packed)) {
    fprintf(stderr, "error: out of memory\n");
    return 1;
  }
#endif
  float *x1 = malloc(sizeof(float) * (size_t)MLP_FEED0_SIZE(batch));
  float *x2 = malloc(sizeof(float) * (size_t)MLP_FEED1_SIZE(batch));
  for (int64_t i = 0; i < MLP_FEED0_SIZE(batch); ++i)
    x1[i] = x2[i] = (float)sin(0.37 * (double)i);
  float *y1 = malloc(sizeof(float) * (size_t)MLP_FETCH0_SIZE(batch));
  float *y2 = malloc(sizeof(float) * (size_t)MLP_FETCH1_SIZE(batch));
  const void *feeds[MLP_NUM_FEEDS] = {x1, x2};
  void *fetches[MLP_NUM_FETCHES] = {y1, y2};
  size_t bytes = ((size_t)mlp_scratch_size(batch) + 63) / 64 * 64;
  void *scratch = aligned_alloc(64, bytes ? bytes : 64);
  int rc = mlp_run(batch, scopec_weights_pointers(w), feeds, fetches, scratch);
  if (rc != MLP_OK) {
    fprintf(stderr, "mlp_run failed: %d\n", rc);
    return 1;
  }
  printf("%s", MLP_FETCH0_NAME);
  for (int64_t i = 0; i < MLP_FETCH0_SIZE(batch); ++i)
    printf(" %.9g", y1[i]);
  printf("\n");
  scopec_weights_free(w);
  free(x1); free(x2); free(y1); free(y2); free(scratch);
  return 0;
}
