/* LOGISTIC, int8: TFLite reference integer_ops::Logistic. (q - zero point) is rescaled to Q4.27, gemmlowp's
 * fixed-point logistic gives Q0.31, and that is rounded to the output's 1/256 steps from -128. */
#include "tg_fixedpoint.h"
#include "tg_float_math.h"
#include "tg_math.h"
#include "tg_logistic.h"
#include "tg_sigmoid16.h"

/* gemmlowp::logistic for a Q4 input, Q0 result. */
static inline int32_t logistic_q4(int32_t a)
{
    if (a == 0) {
        return (int32_t)1 << 30;  /* one half */
    }
    const int32_t abs_a = a > 0 ? a : -a;
    /* 1 / (1 + exp(-|a|)) */
    const int32_t positive = tg_fp_one_over_one_plus_x_for_x_in_0_1(tg_fp_exp_on_negative_values(-abs_a, 4));
    return a > 0 ? positive : tg_fp_sub(TG_FP_Q0_ONE, positive);
}

void tg_logistic_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t input_range_radius,
                    int32_t input_multiplier, int32_t input_left_shift, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t x = input[i] - input_zero_point;
        if (x <= -input_range_radius) {
            output[i] = -128;
        } else if (x >= input_range_radius) {
            output[i] = 127;
        } else {
            const int32_t y = logistic_q4(tg_requantize(x, input_multiplier, input_left_shift));
            const int32_t q = tg_rounding_divide_by_pot(y, 31 - 8) - 128;
            output[i] = (int8_t)TG_CLAMP(q, -128, 127);
        }
    }
}

/* LOGISTIC, int16 (zero points 0, output scale 2^-15): TFLite reference integer_ops::Logistic, a linear
 * interpolation in the sigmoid table, 512 input steps per entry. */
void tg_logistic_s16(const int16_t *input, int32_t size, int32_t input_multiplier, int32_t input_left_shift,
                     int16_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = tg_logistic16(tg_sigmoid16_scale(input[i], input_multiplier, input_left_shift));
    }
}

/* float32: TFLM's reference Logistic<float>, with its cutoffs (exp(x) below -9, 1 above 16.619). */
void tg_logistic_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, tg_sigmoid_f32);
}
