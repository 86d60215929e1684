/* ARG_MAX / ARG_MIN, int8 and float32 → int32: TFLite's reference ArgMinMax (a strictly greater or less
 * value replaces the best so far, so the first index wins a tie; a float NaN compares false either way, so a
 * NaN first value stays the best). */
#include "tg_arg_min_max.h"

#define TG_ARG_BODY(elem_t, BETTER)                                                                           \
    const int32_t inner = params->inner;                                                                      \
    for (int32_t o = 0; o < params->outer; ++o) {                                                             \
        const elem_t *base = input + o * params->axis_size * inner;                                           \
        for (int32_t k = 0; k < inner; ++k) {                                                                 \
            elem_t best = base[k];                                                                            \
            int32_t index = 0;                                                                                \
            for (int32_t i = 1; i < params->axis_size; ++i) {                                                 \
                const elem_t v = base[i * inner + k];                                                         \
                if (BETTER(v, best)) {                                                                        \
                    best = v;                                                                                 \
                    index = i;                                                                                \
                }                                                                                             \
            }                                                                                                 \
            *output++ = index;                                                                                \
        }                                                                                                     \
    }

#define TG_GREATER(v, best) ((v) > (best))
#define TG_LESS(v, best) ((v) < (best))

void tg_arg_max_s8(const tg_arg_params *params, const int8_t *input, int32_t *output)
{
    TG_ARG_BODY(int8_t, TG_GREATER)
}

void tg_arg_min_s8(const tg_arg_params *params, const int8_t *input, int32_t *output)
{
    TG_ARG_BODY(int8_t, TG_LESS)
}

void tg_arg_max_f32(const tg_arg_params *params, const float *input, int32_t *output)
{
    TG_ARG_BODY(float, TG_GREATER)
}

void tg_arg_min_f32(const tg_arg_params *params, const float *input, int32_t *output)
{
    TG_ARG_BODY(float, TG_LESS)
}
