/* HARD_SWISH, int8: TFLite reference HardSwish (quantized). x * relu6(x + 3) / 6 in int16 fixed point:
 * x on a "high-res" scale (in_scale / 128), a "relu-ish" factor in [0, 1] from x rescaled so that 3.0 is
 * 32768, their product, then the output shift. Helpers below are gemmlowp's int16 primitives. */
#include "tg_math.h"
#include "tg_hard_swish.h"

/* SaturatingRoundingDoublingHighMul on int16. */
static inline int32_t srdhm16(int32_t a, int32_t b)
{
    if (a == INT16_MIN && b == INT16_MIN) {
        return INT16_MAX;
    }
    const int32_t ab = a * b;
    return (ab + (ab >= 0 ? (1 << 14) : 1 - (1 << 14))) / (1 << 15);  /* division truncates, as gemmlowp */
}

/* SaturatingDoublingHighMul: the same, truncating instead of rounding. */
static inline int32_t sdhm16(int32_t a, int32_t b)
{
    if (a == INT16_MIN && b == INT16_MIN) {
        return INT16_MAX;
    }
    return (a * b) / (1 << 15);
}

/* value * 2^amount saturated to int16, amount in [0, 30]. */
static inline int32_t saturating_left_shift16(int32_t value, int32_t amount)
{
    const int64_t r = (int64_t)value * ((int64_t)1 << amount);
    return (int32_t)TG_CLAMP(r, INT16_MIN, INT16_MAX);
}

/* gemmlowp RoundingDivideByPOT on int16, exponent in [0, 31]. */
static inline int32_t rounding_divide_by_pot16(int32_t x, int32_t exponent)
{
    if (exponent >= 16) {
        /* The int16 mask (1 << exponent) - 1 truncates to all ones: the result is the sign, 1 or -1. */
        return x >= 0 ? 1 : -1;
    }
    const int32_t mask = (1 << exponent) - 1;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + ((x & mask) > threshold ? 1 : 0);
}

void tg_hard_swish_s8(const tg_hard_swish_params *params, const int8_t *input, int32_t size, int8_t *output)
{
    const int32_t relu_exp = params->reluish_multiplier_exponent;
    const int32_t out_shift = -params->output_multiplier_exponent;
    for (int32_t i = 0; i < size; ++i) {
        /* |q - zero point| <= 255, so * 128 still fits int16 */
        const int32_t hires = (input[i] - params->input_zero_point) * 128;
        const int32_t preshift_output = srdhm16(hires, params->output_multiplier_fixedpoint_int16);
        int32_t reluish = hires;
        if (relu_exp > 0) {
            /* all but the last bit first, so that only the final shift can saturate */
            reluish = saturating_left_shift16(reluish, relu_exp - 1);
        }
        reluish = srdhm16(reluish, params->reluish_multiplier_fixedpoint_int16);
        if (relu_exp > 0) {
            reluish = saturating_left_shift16(reluish, 1);
        } else if (relu_exp < 0) {
            reluish = rounding_divide_by_pot16(reluish, -relu_exp);
        }
        reluish = (reluish + (1 << 15)) >> 1;  /* [-1, 1] -> [0, 1] */
        const int32_t out = rounding_divide_by_pot16(sdhm16(reluish, preshift_output), out_shift) +
                            params->output_zero_point;
        output[i] = (int8_t)TG_CLAMP(out, -128, 127);
    }
}

/* float32: TFLite's reference HardSwish<float>, in * min(6, max(0, in + 3)) / 6, std::max and std::min in
 * their comparison order (a NaN input gives 0 from both, then NaN from the product). */
static float hard_swish_f32(float in)
{
    const float shifted = in + 3.0f;
    const float low = 0.0f < shifted ? shifted : 0.0f;
    const float clipped = low < 6.0f ? low : 6.0f;
    return in * clipped / 6.0f;
}

void tg_hard_swish_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, hard_swish_f32);
}
