/* REDUCE_MAX / REDUCE_MIN, int8: TFLite's ReduceGeneric from int8's lowest (highest) value. */
#include "tg_reduce_max.h"

static void reduce(const tg_mean_params *params, const int8_t *input, int8_t *output, int32_t maximum)
{
    const int32_t r0 = params->inner[0], r1 = params->inner[1];
    const int32_t rs0 = params->inner_stride[0], rs1 = params->inner_stride[1];
    for (int32_t k0 = 0; k0 < params->outer[0]; ++k0) {
        for (int32_t k1 = 0; k1 < params->outer[1]; ++k1) {
            const int8_t *base = input + k0 * params->outer_stride[0] + k1 * params->outer_stride[1];
            int8_t best = maximum ? INT8_MIN : INT8_MAX;
            for (int32_t i0 = 0; i0 < r0; ++i0) {
                const int8_t *x = base + i0 * rs0;
                for (int32_t i1 = 0; i1 < r1; ++i1) {
                    const int8_t v = x[i1 * rs1];
                    best = (maximum ? v > best : v < best) ? v : best;
                }
            }
            *output++ = best;
        }
    }
}

void tg_reduce_max_s8(const tg_mean_params *params, const int8_t *input, int8_t *output)
{
    reduce(params, input, output, 1);
}

void tg_reduce_min_s8(const tg_mean_params *params, const int8_t *input, int8_t *output)
{
    reduce(params, input, output, 0);
}
