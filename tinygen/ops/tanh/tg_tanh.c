/* TANH, int8: TFLite reference integer_ops::Tanh. (q - zero point) is rescaled to Q4.27, gemmlowp's
 * fixed-point tanh gives Q0.31, and that is rounded to the output's 1/128 steps around 0. */
#include <math.h>

#include "tg_fixedpoint.h"
#include "tg_math.h"
#include "tg_sigmoid16.h"
#include "tg_tanh.h"

/* gemmlowp::tanh for a Q4 input, Q0 result. */
static inline int32_t tanh_q4(int32_t a)
{
    if (a == 0) {
        return 0;
    }
    const int32_t negative = a < 0 ? a : -a;
    /* -tanh(-|a|) = (1 - exp(-2|a|)) / (1 + exp(-2|a|)); doubling a Q4 value is reading it as Q5. */
    const int32_t t = tg_fp_one_minus_x_over_one_plus_x_for_x_in_0_1(tg_fp_exp_on_negative_values(negative, 5));
    return a < 0 ? -t : t;
}

void tg_tanh_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t input_range_radius,
                int32_t input_multiplier, int32_t input_left_shift, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t x = input[i] - input_zero_point;
        if (x <= -input_range_radius) {
            output[i] = -128;
        } else if (x >= input_range_radius) {
            output[i] = 127;
        } else {
            const int32_t q = tg_rounding_divide_by_pot(tanh_q4(tg_requantize(x, input_multiplier, input_left_shift)),
                                                        31 - 7);
            output[i] = (int8_t)TG_CLAMP(q, -128, 127);
        }
    }
}

/* TANH, int16 (zero points 0, output scale 2^-15): TFLite reference integer_ops::Tanh, tanh(x) = 2 sigmoid(2x)
 * - 1 interpolated in the sigmoid table, 256 input steps per entry. */
void tg_tanh_s16(const int16_t *input, int32_t size, int32_t input_multiplier, int32_t input_left_shift,
                 int16_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = tg_tanh16(tg_sigmoid16_scale(input[i], input_multiplier, input_left_shift));
    }
}

/* float32: TFLM's reference Tanh<float>, std::tanh of a float (tanhf). */
void tg_tanh_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, tanhf);
}
