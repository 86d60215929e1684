/* gemmlowp's 32-bit fixed-point arithmetic (fixedpoint/fixedpoint.h) as TFLite's reference SOFTMAX, LOGISTIC,
 * TANH, RSQRT and L2_NORMALIZATION use it, written out in C on raw int32 values.
 *
 * A value with I integer bits is raw * 2^(I - 31) ("Q(I).(31-I)"); the caller tracks I, which gemmlowp keeps
 * in the FixedPoint<int32_t, I> type. Q0 "one" is INT32_MAX. Additions and subtractions wrap as two's
 * complement (gemmlowp's plain int32 arithmetic, without the undefined behaviour of signed overflow in C).
 */
#ifndef TG_FIXEDPOINT_H
#define TG_FIXEDPOINT_H

#include <stdint.h>

#include "tg_math.h"

#define TG_FP_Q0_ONE INT32_MAX

static inline int32_t tg_fp_add(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t tg_fp_sub(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* Fixed-point product: integer bits add up (Q(a) * Q(b) -> Q(a+b)). */
static inline int32_t tg_fp_mul(int32_t a, int32_t b)
{
    return tg_saturating_rounding_doubling_high_mul(a, b);
}

/* (a + b) / 2 rounded to nearest, ties away from zero (RoundingHalfSum). */
static inline int32_t tg_fp_rounding_half_sum(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + (int64_t)b;
    return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* x * 2^exponent: saturating for exponent > 0, rounding to nearest for exponent < 0
 * (SaturatingRoundingMultiplyByPOT). */
static inline int32_t tg_fp_mul_by_pot(int32_t x, int32_t exponent)
{
    if (exponent > 0) {
        const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
        if (x > threshold) {
            return INT32_MAX;
        }
        if (x < -threshold) {
            return INT32_MIN;
        }
        return (int32_t)((uint32_t)x << exponent);
    }
    return exponent < 0 ? tg_rounding_divide_by_pot(x, -exponent) : x;
}

/* Rescale<dst_bits>(x with src_bits integer bits). */
static inline int32_t tg_fp_rescale(int32_t x, int32_t src_bits, int32_t dst_bits)
{
    return tg_fp_mul_by_pot(x, src_bits - dst_bits);
}

/* Number of leading zero bits of a non-zero x (CountLeadingZeros). */
static inline int32_t tg_fp_clz(uint32_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (int32_t)__builtin_clz(x);
#else
    int32_t n = 0;
    while (!(x & 0x80000000u)) {
        x <<= 1;
        ++n;
    }
    return n;
#endif
}

/* exp(a) for Q0 a in [-1/4, 0): Taylor expansion around -1/8. */
static inline int32_t tg_fp_exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a)
{
    const int32_t constant_term = 1895147668;  /* exp(-1/8) */
    const int32_t constant_1_over_3 = 715827883;
    const int32_t x = tg_fp_add(a, 1 << 28);  /* + 1/8 */
    const int32_t x2 = tg_fp_mul(x, x);
    const int32_t x3 = tg_fp_mul(x2, x);
    const int32_t x4 = tg_fp_mul(x2, x2);
    const int32_t x4_over_4 = tg_fp_mul_by_pot(x4, -2);
    const int32_t poly = tg_fp_mul_by_pot(
        tg_fp_add(tg_fp_mul(tg_fp_add(x4_over_4, x3), constant_1_over_3), x2), -1);
    return tg_fp_add(constant_term, tg_fp_mul(constant_term, tg_fp_add(x, poly)));
}

/* exp(a) as Q0 for a <= 0 with `integer_bits` integer bits (exp_on_negative_values). */
static inline int32_t tg_fp_exp_on_negative_values(int32_t a, int32_t integer_bits)
{
    /* exp(-2^k) for k = -2 .. 4, Q0. */
    static const int32_t barrel[7] = { 1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242 };
    const int32_t fractional_bits = 31 - integer_bits;
    const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
    const int32_t a_mod_quarter_minus_one_quarter = tg_fp_sub(a & (one_quarter - 1), one_quarter);
    int32_t result = tg_fp_exp_on_interval_between_negative_one_quarter_and_0_excl(
        tg_fp_rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0));
    const int32_t remainder = tg_fp_sub(a_mod_quarter_minus_one_quarter, a);
    for (int32_t k = -2; k <= 4; ++k) {
        if (integer_bits > k && (remainder & ((int32_t)1 << (fractional_bits + k)))) {
            result = tg_fp_mul(result, barrel[k + 2]);
        }
    }
    if (integer_bits > 5 && a < -((int32_t)1 << (36 - integer_bits))) {
        result = 0;  /* below -32: exp underflows */
    }
    return a == 0 ? TG_FP_Q0_ONE : result;
}

/* Newton-Raphson reciprocal shared by the two functions below: Q2 x ~= 1 / half_denominator, where
 * half_denominator = (1 + a) / 2 for Q0 a in [0, 1). */
static inline int32_t tg_fp_newton_reciprocal_q2(int32_t half_denominator)
{
    const int32_t constant_48_over_17 = 1515870810;   /* Q2 */
    const int32_t constant_neg_32_over_17 = -1010580540;  /* Q2 */
    const int32_t q2_one = (int32_t)1 << 29;
    int32_t x = tg_fp_add(constant_48_over_17, tg_fp_mul(half_denominator, constant_neg_32_over_17));
    for (int i = 0; i < 3; ++i) {
        const int32_t half_denominator_times_x = tg_fp_mul(half_denominator, x);
        const int32_t one_minus_half_denominator_times_x = tg_fp_sub(q2_one, half_denominator_times_x);
        x = tg_fp_add(x, tg_fp_rescale(tg_fp_mul(x, one_minus_half_denominator_times_x), 4, 2));
    }
    return x;
}

/* 1 / (1 + a) as Q0, for Q0 a in [0, 1) (one_over_one_plus_x_for_x_in_0_1). */
static inline int32_t tg_fp_one_over_one_plus_x_for_x_in_0_1(int32_t a)
{
    const int32_t x = tg_fp_newton_reciprocal_q2(tg_fp_rounding_half_sum(a, TG_FP_Q0_ONE));
    return tg_fp_rescale(x, 1, 0);  /* x / 2, read as Q1 */
}

/* (1 - a) / (1 + a) as Q0, for Q0 a in [0, 1) (one_minus_x_over_one_plus_x_for_x_in_0_1). */
static inline int32_t tg_fp_one_minus_x_over_one_plus_x_for_x_in_0_1(int32_t a)
{
    const int32_t x = tg_fp_newton_reciprocal_q2(tg_fp_rounding_half_sum(a, TG_FP_Q0_ONE));
    return tg_fp_rescale(tg_fp_sub(x, (int32_t)1 << 29), 2, 0);
}

/* 1 / sqrt(input) as a Q31 multiplier and a left shift (GetInvSqrtQuantizedMultiplierExp with reverse_shift -1):
 * input normalised into [2^27, 2^29) by bit pairs, then five Newton-Raphson steps in Q3. Inputs 0 and 1 give
 * (INT32_MAX, 0), as TFLite's does (0 has no inverse square root). input >= 0. */
static inline void tg_fp_inv_sqrt_multiplier_exp(int32_t input, int32_t *multiplier, int32_t *shift)
{
    if (input <= 1) {
        *multiplier = INT32_MAX;
        *shift = 0;
        return;
    }
    int32_t right_shift = 11;
    while (input >= ((int32_t)1 << 29)) {
        input /= 4;
        ++right_shift;
    }
    const int32_t left_shift_bit_pairs = (tg_fp_clz((uint32_t)input) - 1) / 2 - 1;
    right_shift -= left_shift_bit_pairs;
    input <<= 2 * left_shift_bit_pairs;  /* now below 2^29: no overflow */
    const int32_t q3_input = input >> 1;
    const int32_t q3_half_input = tg_fp_mul_by_pot(q3_input, -1);
    const int32_t q3_half_three = ((int32_t)1 << 28) + ((int32_t)1 << 27);
    int32_t x = (int32_t)1 << 28;  /* Q3 one */
    for (int i = 0; i < 5; ++i) {
        const int32_t x3 = tg_fp_rescale(tg_fp_mul(tg_fp_mul(x, x), x), 9, 3);
        x = tg_fp_rescale(tg_fp_sub(tg_fp_mul(q3_half_three, x), tg_fp_mul(q3_half_input, x3)), 6, 3);
    }
    x = tg_fp_mul(x, 1518500250);  /* sqrt(2) / 2, Q0 */
    if (right_shift < 0) {
        x = (int32_t)((uint32_t)x << -right_shift);
        right_shift = 0;
    }
    *multiplier = x;
    *shift = -right_shift;
}

#endif
