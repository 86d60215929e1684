/* DIV, int8: TFLite's reference DivElementwise / BroadcastDivSlowQuantized. */
#include "tg_div.h"

#include "tg_broadcast.h"
#include "tg_fixedpoint.h"
#include "tg_math.h"

/* gemmlowp's RoundingDivideByPOT for any exponent 0..70 as TFLM's x86-64 build computes it. TFLM passes
 * exponents of 32 and more here (a small dividend over a large divisor), undefined in C++: its mask
 * (1ll << exponent) - 1 is cut to int32, and x86 shifts by the count modulo 64 (int64) or 32 (int32). */
static int32_t rounding_divide_by_pot_x86(int32_t x, int32_t exponent)
{
    const int32_t mask = tg_wrap_s32((uint32_t)(((uint64_t)1 << (exponent & 63)) - 1));
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> (exponent & 31)) + (remainder > threshold ? 1 : 0);
}

/* Redundant leading sign bits of x (CountLeadingSignBits, gcc's __builtin_clrsb form): 31 for 0 and -1. */
static int32_t leading_sign_bits(int32_t x)
{
    const uint32_t magnitude = (uint32_t)(x >= 0 ? x : ~x);
    return magnitude == 0 ? 31 : tg_fp_clz(magnitude) - 1;
}

static int8_t div_one(const void *params, int32_t a, int32_t b)
{
    const tg_mul_params *p = (const tg_mul_params *)params;
    int32_t x = a + p->input_1_offset;
    int32_t y = b + p->input_2_offset;
    if (y < 0) {
        x = -x;
        y = -y;
    }
    /* 1 / y (GetReciprocal): y normalised to [1, 2) as 1 + s, 1 / (1 + s) in Q0, and the power of two. */
    const int32_t headroom_plus_one = y == 0 ? 32 : tg_fp_clz((uint32_t)y);
    const int32_t recip_shift = 31 - headroom_plus_one;
    const uint32_t normalised = headroom_plus_one == 32 ? 0u : (uint32_t)y << headroom_plus_one;
    const int32_t inverse = tg_fp_one_over_one_plus_x_for_x_in_0_1(tg_wrap_s32(normalised - 0x80000000u));
    const int32_t headroom = leading_sign_bits(x);
    const int32_t quotient = tg_saturating_rounding_doubling_high_mul(tg_wrap_s32((uint32_t)x << headroom), inverse);
    const int32_t total_shift = p->out_shift - recip_shift - headroom;  /* <= 0: the lowering checks it */
    const int32_t r = p->out_offset + rounding_divide_by_pot_x86(
        tg_saturating_rounding_doubling_high_mul(quotient, p->out_mult), -total_shift);
    return (int8_t)TG_CLAMP(r, p->activation.min, p->activation.max);
}

void tg_div_s8(const tg_mul_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
               const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims, int8_t *output)
{
    tg_broadcast_binary_s8(div_one, params, input_1_dims, input_1, input_2_dims, input_2, output_dims, output);
}

/* float32: TFLite's reference Div / BroadcastDivSlow, the quotient through the fused activation's clamp. */
static float div_f32(const void *params, float a, float b)
{
    return tg_clamp_f32(a / b, *(const tg_activation_f32 *)params);
}

void tg_div_f32(const tg_activation_f32 *activation, const tg_dims *input_1_dims, const float *input_1,
                const tg_dims *input_2_dims, const float *input_2, const tg_dims *output_dims, float *output)
{
    tg_broadcast_binary_f32(div_f32, activation, input_1_dims, input_1, input_2_dims, input_2, output_dims, output);
}
