/* Fixed-point helpers with TFLite's default (double) rounding, as in gemmlowp and
 * tensorflow/lite/kernels/internal/common.h. Header-only so every kernel can inline them. */
#ifndef TG_MATH_H
#define TG_MATH_H

#include <stdint.h>

#define TG_MAX(a, b) ((a) > (b) ? (a) : (b))
#define TG_MIN(a, b) ((a) < (b) ? (a) : (b))
#define TG_CLAMP(x, lo, hi) TG_MIN(TG_MAX((x), (lo)), (hi))

static inline int32_t tg_saturating_rounding_doubling_high_mul(int32_t a, int32_t b)
{
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    const int64_t ab = (int64_t)a * (int64_t)b;
    const int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    /* Division, not a shift: gemmlowp truncates toward zero here. */
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

static inline int32_t tg_rounding_divide_by_pot(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* The int32 with the bits of u: a wrapping int32 sum kept as uint32 (converting a value above INT32_MAX would
 * be implementation-defined). */
static inline int32_t tg_wrap_s32(uint32_t u)
{
    return u <= (uint32_t)INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

/* x * multiplier * 2^shift, shift > 0 is a left shift (TFLite's MultiplyByQuantizedMultiplier). */
static inline int32_t tg_requantize(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left_shift = shift > 0 ? shift : 0;
    const int32_t right_shift = shift > 0 ? 0 : -shift;
    return tg_rounding_divide_by_pot(
        tg_saturating_rounding_doubling_high_mul((int32_t)((uint32_t)x << left_shift), multiplier), right_shift);
}

/* TFLite's MultiplyByQuantizedMultiplier for the int64 accumulators of 16x8 operators: the Q31 multiplier
 * rounded to Q15, one rounding right shift by 15 - shift (the lowering keeps it within 1..62). The verifier bounds
 * |x| below 2^47, so x * reduced stays within int64. Narrowed to int32 as TFLM does (modulo 2^32 with gcc and
 * clang); callers clamp to int16. */
static inline int32_t tg_requantize_s64(int64_t x, int32_t multiplier, int32_t shift)
{
    const int64_t reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
    const int32_t total_shift = 15 - shift;
    return (int32_t)((x * reduced + ((int64_t)1 << (total_shift - 1))) >> total_shift);
}

#endif
