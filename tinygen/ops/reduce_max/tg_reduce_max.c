/* REDUCE_MAX / REDUCE_MIN, int8 and float32: TFLite's ReduceGeneric from the type's lowest (highest) value with
 * TFLM's MinMaxReducerCompare, (in > current) ? in : current (< for the minimum), each output's inputs taken in
 * input order: a float NaN is never taken, a tie keeps the first value (-0.0 against 0.0), and floats start
 * from -FLT_MAX (FLT_MAX), not an infinity, as std::numeric_limits<float>::lowest() (max()) does. */
#include <float.h>

#include "tg_reduce_max.h"

#define TG_REDUCE_BODY(elem_t, start, TAKES)                                                                  \
    const int32_t r0 = params->inner[0], r1 = params->inner[1];                                               \
    const int32_t rs0 = params->inner_stride[0], rs1 = params->inner_stride[1];                               \
    for (int32_t k0 = 0; k0 < params->outer[0]; ++k0) {                                                       \
        for (int32_t k1 = 0; k1 < params->outer[1]; ++k1) {                                                   \
            const elem_t *base = input + k0 * params->outer_stride[0] + k1 * params->outer_stride[1];         \
            elem_t best = (start);                                                                            \
            for (int32_t i0 = 0; i0 < r0; ++i0) {                                                             \
                const elem_t *x = base + i0 * rs0;                                                            \
                for (int32_t i1 = 0; i1 < r1; ++i1) {                                                         \
                    const elem_t v = x[i1 * rs1];                                                             \
                    best = TAKES(v, best) ? v : best;                                                         \
                }                                                                                             \
            }                                                                                                 \
            *output++ = best;                                                                                 \
        }                                                                                                     \
    }

#define TG_ABOVE(v, best) ((v) > (best))
#define TG_BELOW(v, best) ((v) < (best))

void tg_reduce_max_s8(const tg_mean_params *params, const int8_t *input, int8_t *output)
{
    TG_REDUCE_BODY(int8_t, INT8_MIN, TG_ABOVE)
}

void tg_reduce_min_s8(const tg_mean_params *params, const int8_t *input, int8_t *output)
{
    TG_REDUCE_BODY(int8_t, INT8_MAX, TG_BELOW)
}

void tg_reduce_max_f32(const tg_mean_params *params, const float *input, float *output)
{
    TG_REDUCE_BODY(float, -FLT_MAX, TG_ABOVE)
}

void tg_reduce_min_f32(const tg_mean_params *params, const float *input, float *output)
{
    TG_REDUCE_BODY(float, FLT_MAX, TG_BELOW)
}
