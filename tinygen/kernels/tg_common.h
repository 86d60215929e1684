/* The shared core of tinygen's portable kernels: types (tg_types.h), alignment, window clipping.
 *
 * Each operator's kernels live in its folder (tinygen/ops/<op>/tg_<op>.{c,h}); bit-exact with TensorFlow Lite
 * Micro's reference kernels. Kernels CMSIS-NN also has take CMSIS-NN's arguments in CMSIS-NN's order but return
 * nothing: the compiler checked their arguments, so they cannot fail.
 */
#ifndef TG_COMMON_H
#define TG_COMMON_H

#include <stdint.h>

#include "tg_types.h"

#if defined(__GNUC__) || defined(__clang__)
#define TG_ALIGNED(n) __attribute__((aligned(n)))
#else
#define TG_ALIGNED(n)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The taps [*lo, *hi) of a k-tap window, dilation dil, starting at origin, that land inside [0, size): the
 * padding taps outside contribute nothing (shared by the convolution and pooling kernels). */
static inline void tg_window_taps(int32_t origin, int32_t k, int32_t dil, int32_t size, int32_t *lo, int32_t *hi)
{
    const int32_t end = size - origin; /* tap t is inside when origin + t * dil is in [0, size) */
    const int32_t first = origin < 0 ? (-origin + dil - 1) / dil : 0;
    const int32_t last = end <= 0 ? 0 : (end + dil - 1) / dil;
    *lo = first;
    *hi = last < k ? last : k;
    if (*hi < *lo) {
        *hi = *lo;
    }
}

/* A float kernel's fused activation: TFLM's ActivationFunctionWithMinMax, std::min(std::max(x, lo), hi), in
 * that comparison order so that a NaN passes through as it does there. */
typedef struct { float min; float max; } tg_activation_f32;

static inline float tg_clamp_f32(float x, tg_activation_f32 act)
{
    const float low = x < act.min ? act.min : x;
    return act.max < low ? act.max : low;
}

/* output[i] = function(input[i]): the loop of every float elementwise kernel (in-place safe); GCC and clang
 * inline the function each kernel passes. */
static inline void tg_map_f32(const float *input, int32_t size, float *output, float (*function)(float))
{
    for (int32_t i = 0; i < size; i++) {
        output[i] = function(input[i]);
    }
}

#ifdef __cplusplus
}
#endif

#endif
