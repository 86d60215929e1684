/* MEAN and SUM, int8 and int16: TFLite reference QuantizedMeanOrSum. Each output is the int32 sum of its
 * inputs, offset by -zero_point * count, then one MultiplyByQuantizedMultiplier that carries both the rescale
 * and, for MEAN, 1 / count. */
#include "tg_math.h"
#include "tg_mean.h"

/* The loops of both element types. */
#define TG_MEAN_BODY(elem_t, elem_min, elem_max)                                                                   \
    const int32_t r0 = params->inner[0], r1 = params->inner[1];                                                    \
    const int32_t rs0 = params->inner_stride[0], rs1 = params->inner_stride[1];                                    \
    for (int32_t k0 = 0; k0 < params->outer[0]; ++k0) {                                                            \
        for (int32_t k1 = 0; k1 < params->outer[1]; ++k1) {                                                        \
            const elem_t *base = input + k0 * params->outer_stride[0] + k1 * params->outer_stride[1];              \
            int32_t sum = 0;                                                                                       \
            for (int32_t i0 = 0; i0 < r0; ++i0) {                                                                  \
                const elem_t *x = base + i0 * rs0;                                                                 \
                for (int32_t i1 = 0; i1 < r1; ++i1) {                                                              \
                    sum += x[i1 * rs1];                                                                            \
                }                                                                                                  \
            }                                                                                                      \
            const int32_t out = tg_requantize(sum + params->sum_offset, params->multiplier, params->shift) +       \
                                params->output_offset;                                                             \
            *output++ = (elem_t)TG_CLAMP(out, elem_min, elem_max);                                                 \
        }                                                                                                          \
    }

void tg_mean_s8(const tg_mean_params *params, const int8_t *input, int8_t *output)
{
    TG_MEAN_BODY(int8_t, INT8_MIN, INT8_MAX)
}

void tg_mean_s16(const tg_mean_params *params, const int16_t *input, int16_t *output)
{
    TG_MEAN_BODY(int16_t, INT16_MIN, INT16_MAX)
}

static void reduce_f32(const tg_mean_params *params, const float *input, float *output, int divide, float count)
{
    for (int32_t k0 = 0; k0 < params->outer[0]; ++k0) {
        for (int32_t k1 = 0; k1 < params->outer[1]; ++k1) {
            const float *base = input + k0 * params->outer_stride[0] + k1 * params->outer_stride[1];
            float sum = 0.0f;
            for (int32_t i0 = 0; i0 < params->inner[0]; ++i0) {
                for (int32_t i1 = 0; i1 < params->inner[1]; ++i1) {
                    sum += base[i0 * params->inner_stride[0] + i1 * params->inner_stride[1]];
                }
            }
            *output++ = divide ? sum / count : sum;
        }
    }
}

void tg_mean_f32(const tg_mean_params *params, float count, const float *input, float *output)
{
    reduce_f32(params, input, output, 1, count);
}

void tg_sum_f32(const tg_mean_params *params, const float *input, float *output)
{
    reduce_f32(params, input, output, 0, 0.0f);
}
