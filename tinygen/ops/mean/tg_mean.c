/* MEAN, int8: TFLite reference QuantizedMeanOrSum. Each output is the int32 sum of its inputs, offset by
 * -zero_point * count, then one MultiplyByQuantizedMultiplier that carries both the rescale and 1 / count. */
#include "tg_math.h"
#include "tg_mean.h"

void tg_mean_s8(const tg_mean_params *params, const int8_t *input, int8_t *output)
{
    const int32_t r0 = params->inner[0], r1 = params->inner[1];
    const int32_t rs0 = params->inner_stride[0], rs1 = params->inner_stride[1];
    for (int32_t k0 = 0; k0 < params->outer[0]; ++k0) {
        for (int32_t k1 = 0; k1 < params->outer[1]; ++k1) {
            const int8_t *base = input + k0 * params->outer_stride[0] + k1 * params->outer_stride[1];
            int32_t sum = 0;
            for (int32_t i0 = 0; i0 < r0; ++i0) {
                const int8_t *x = base + i0 * rs0;
                for (int32_t i1 = 0; i1 < r1; ++i1) {
                    sum += x[i1 * rs1];
                }
            }
            const int32_t out = tg_requantize(sum + params->sum_offset, params->multiplier, params->shift) +
                                params->output_offset;
            *output++ = (int8_t)TG_CLAMP(out, -128, 127);
        }
    }
}
