/* scopec_rt.h: the run-time support library of scopec's generated code (C).
 *
 * A model built with `scopec build --weights-at-runtime` takes its weights as
 * an array of pointers, in the order its header lists them (PREFIX_weight_names,
 * PREFIX_weight_sizes). scopec_weights_load reads an .npz (as `scopec weights`
 * or np.savez / np.savez_compressed write it) and binds each listed name to
 * its array, checking that it is float32 with the listed number of elements.
 *
 * Link with libscopec_rt.a, -lzip and -lstdc++ (the library is C++ inside).
 */
#ifndef SCOPEC_RT_H
#define SCOPEC_RT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct scopec_weights scopec_weights;

/* Loads `npz_path` and binds names[i] (count of them) to its arrays. On
 * failure (unreadable or malformed file, a missing name, a wrong dtype or
 * size) returns NULL and writes a one-line reason into err (errlen bytes,
 * NUL-terminated) when err is not NULL. Arrays the model does not name are
 * ignored. */
scopec_weights *scopec_weights_load(const char *npz_path, int64_t count, const char *const *names,
                                    const int64_t *sizes, char *err, size_t errlen);

/* The array to pass as the `weights` argument of PREFIX_run: count pointers
 * in the order of `names`. Valid until scopec_weights_free. */
const void *const *scopec_weights_pointers(const scopec_weights *w);

void scopec_weights_free(scopec_weights *w);

/* For a model built with `scopec build --pack-weights`: the weights `w` (count
 * of them, as loaded) in the layout its PREFIX_run reads, written by `pack`
 * (PREFIX_pack_weights) into 64-byte aligned blocks of packed_sizes[i] floats
 * (PREFIX_packed_weight_sizes). Pass scopec_weights_pointers() of the result to
 * PREFIX_run; `w` may then be freed. NULL on invalid arguments or out of memory. */
scopec_weights *scopec_weights_pack(const scopec_weights *w, int64_t count, const int64_t *packed_sizes,
                                    void (*pack)(const void *const *weights, void *const *packed));

/* Threads. PREFIX_run_parallel(..., parallel_for, pool) runs the model's
 * large ops (matrix products, convolutions) as units shared by
 * parallel_for(pool, n, task, ctx), which must call task(ctx, begin, end) on
 * ranges covering [0, n) exactly once each, in any order and on any threads,
 * and return when all are done. A host with its own pool passes its own
 * function; scopec_parallel_for over a scopec_pool is the built-in one. The
 * outputs are bitwise identical for any thread count. */
typedef void (*scopec_task)(void *ctx, int64_t begin, int64_t end);
typedef void (*scopec_parallel_for_fn)(void *pool, int64_t n, scopec_task task, void *ctx);

typedef struct scopec_pool scopec_pool;

/* A pool of `threads` threads in all (the caller of scopec_parallel_for is one
 * of them; threads - 1 workers are started). NULL when threads < 1 or threads
 * cannot be started. */
scopec_pool *scopec_pool_create(int threads);
int scopec_pool_threads(const scopec_pool *pool);
/* The parallel_for of a scopec_pool (pass the pool as `pool`); a NULL pool runs
 * everything on the calling thread. One call at a time per pool. */
void scopec_parallel_for(void *pool, int64_t n, scopec_task task, void *ctx);
void scopec_pool_free(scopec_pool *pool);

#ifdef __cplusplus
}
#endif

#endif /* SCOPEC_RT_H */
