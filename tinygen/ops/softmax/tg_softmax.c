/* SOFTMAX, int8 in, int8 out (zero point -128, scale 1/256): TFLite reference_ops::Softmax, in gemmlowp
 * fixed point. Differences to the row maximum become Q5.26 (5 integer bits), exponentials are Q0 and are
 * summed as Q12.19. */
#include "tg_fixedpoint.h"
#include "tg_math.h"
#include "tg_softmax.h"

#define SCALED_DIFF_INTEGER_BITS 5
#define ACCUMULATION_INTEGER_BITS 12

/* exp(beta * scale * diff) as Q0 for diff = x - max <= 0 with diff >= diff_min. */
static inline int32_t exp_of_diff(int32_t diff, int32_t mult, int32_t shift)
{
    return tg_fp_exp_on_negative_values(tg_requantize(diff, mult, shift), SCALED_DIFF_INTEGER_BITS);
}

void tg_softmax_s8(const int8_t *input, int32_t num_rows, int32_t row_size, int32_t mult, int32_t shift,
                   int32_t diff_min, int8_t *output)
{
    for (int32_t r = 0; r < num_rows; ++r) {
        const int8_t *x = input + r * row_size;
        int8_t *y = output + r * row_size;
        int32_t max = INT8_MIN;
        for (int32_t i = 0; i < row_size; ++i) {
            max = TG_MAX(max, x[i]);
        }
        int32_t sum_of_exps = 0;
        for (int32_t i = 0; i < row_size; ++i) {
            const int32_t diff = x[i] - max;
            if (diff >= diff_min) {
                sum_of_exps = tg_fp_add(sum_of_exps, tg_fp_rescale(exp_of_diff(diff, mult, shift), 0,
                                                                   ACCUMULATION_INTEGER_BITS));
            }
        }
        /* 1 / sum: normalise the sum to [1, 2) as 1 + s, s in [0, 1), and take 1 / (1 + s) (GetReciprocal). */
        const int32_t headroom_plus_one = tg_fp_clz((uint32_t)sum_of_exps);
        const int32_t num_bits_over_unit = ACCUMULATION_INTEGER_BITS - headroom_plus_one;
        const int32_t shifted_sum_minus_one = (int32_t)(((uint32_t)sum_of_exps << headroom_plus_one) - 0x80000000u);
        const int32_t shifted_scale = tg_fp_one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
        /* The result is a probability in Q0; 8 output bits remain after the shift. */
        const int32_t exponent = num_bits_over_unit + 31 - 8;
        for (int32_t i = 0; i < row_size; ++i) {
            const int32_t diff = x[i] - max;
            int32_t out = INT8_MIN;
            if (diff >= diff_min) {
                const int32_t p = tg_rounding_divide_by_pot(tg_fp_mul(shifted_scale, exp_of_diff(diff, mult, shift)),
                                                            exponent);
                out = TG_CLAMP(p + INT8_MIN, INT8_MIN, INT8_MAX);
            }
            y[i] = (int8_t)out;
        }
    }
}
