/* L2_NORMALIZATION, int8: TFLite's reference_integer_ops::L2Normalization. */
#include "tg_l2_normalization.h"

#include "tg_fixedpoint.h"
#include "tg_math.h"

#define L2_OUTPUT_SHIFT 7  /* outputs in 1/128 */

void tg_l2_normalization_s8(const int8_t *input, int32_t outer, int32_t depth, int32_t input_zero_point,
                            int8_t *output)
{
    for (int32_t o = 0; o < outer; ++o) {
        const int8_t *in = input + o * depth;
        int8_t *out = output + o * depth;
        int32_t acc = 0;
        for (int32_t i = 0; i < depth; ++i) {
            const int32_t x = in[i] - input_zero_point;
            acc += x * x;
        }
        int32_t multiplier;
        int32_t shift;
        tg_fp_inv_sqrt_multiplier_exp(acc, &multiplier, &shift);
        /* Element i is read just before it is written, after the whole row's sum: safe in place. */
        for (int32_t i = 0; i < depth; ++i) {
            const int32_t y = tg_requantize(in[i] - input_zero_point, multiplier, shift + L2_OUTPUT_SHIFT);
            out[i] = (int8_t)TG_CLAMP(y, INT8_MIN, INT8_MAX);
        }
    }
}
