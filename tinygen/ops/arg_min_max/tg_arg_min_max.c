/* ARG_MAX / ARG_MIN, int8 → int32: TFLite's reference ArgMinMax (a strictly greater or less value replaces the
 * best so far, so the first index wins a tie). */
#include "tg_arg_min_max.h"

static void arg_best(const tg_arg_params *params, const int8_t *input, int32_t *output, int maximum)
{
    const int32_t inner = params->inner;
    for (int32_t o = 0; o < params->outer; ++o) {
        const int8_t *base = input + o * params->axis_size * inner;
        for (int32_t k = 0; k < inner; ++k) {
            int32_t best = base[k], index = 0;
            for (int32_t i = 1; i < params->axis_size; ++i) {
                const int32_t v = base[i * inner + k];
                if (maximum ? v > best : v < best) {
                    best = v;
                    index = i;
                }
            }
            *output++ = index;
        }
    }
}

void tg_arg_max_s8(const tg_arg_params *params, const int8_t *input, int32_t *output)
{
    arg_best(params, input, output, 1);
}

void tg_arg_min_s8(const tg_arg_params *params, const int8_t *input, int32_t *output)
{
    arg_best(params, input, output, 0);
}
