/* SOFTMAX: TFLite reference_ops::Softmax (int8 in; int8 out at zero point -128, scale 1/256, or int16 out at
 * -32768, 1/65536), in gemmlowp fixed point: differences to the row maximum become Q5.26 (5 integer bits),
 * exponentials are Q0 and are summed as Q12.19. And reference_ops::SoftmaxInt16 (int16 in and out), which
 * interpolates in the exp and 1 / (1 + x) tables the lowering built as TFLM's Prepare does. */
#include <float.h>
#include <math.h>

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

/* The body of tg_softmax_s8 and tg_softmax_s8_s16, which differ only in the output type (TFLM's OutputT). */
#define TG_SOFTMAX_S8_BODY(out_t, out_min, out_max)                                                           \
    for (int32_t r = 0; r < num_rows; ++r) {                                                                  \
        const int8_t *x = input + r * row_size;                                                               \
        out_t *y = output + r * row_size;                                                                     \
        int32_t max = INT8_MIN;                                                                               \
        for (int32_t i = 0; i < row_size; ++i) {                                                              \
            max = TG_MAX(max, x[i]);                                                                          \
        }                                                                                                     \
        int32_t sum_of_exps = 0;                                                                              \
        for (int32_t i = 0; i < row_size; ++i) {                                                              \
            const int32_t diff = x[i] - max;                                                                  \
            if (diff >= diff_min) {                                                                           \
                sum_of_exps = tg_fp_add(sum_of_exps, tg_fp_rescale(exp_of_diff(diff, mult, shift), 0,         \
                                                                   ACCUMULATION_INTEGER_BITS));               \
            }                                                                                                 \
        }                                                                                                     \
        /* 1 / sum: normalise the sum to [1, 2) as 1 + s, s in [0, 1), and take 1 / (1 + s) (GetReciprocal). */ \
        const int32_t headroom_plus_one = tg_fp_clz((uint32_t)sum_of_exps);                                   \
        const int32_t num_bits_over_unit = ACCUMULATION_INTEGER_BITS - headroom_plus_one;                     \
        const int32_t shifted_sum_minus_one =                                                                 \
            (int32_t)(((uint32_t)sum_of_exps << headroom_plus_one) - 0x80000000u);                            \
        const int32_t shifted_scale = tg_fp_one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);         \
        /* The result is a probability in Q0; as many output bits as out_t has remain after the shift. */     \
        const int32_t exponent = num_bits_over_unit + 31 - (int32_t)(8 * sizeof(out_t));                      \
        for (int32_t i = 0; i < row_size; ++i) {                                                              \
            const int32_t diff = x[i] - max;                                                                  \
            int32_t out = (out_min);                                                                          \
            if (diff >= diff_min) {                                                                           \
                const int32_t p = tg_rounding_divide_by_pot(                                                  \
                    tg_fp_mul(shifted_scale, exp_of_diff(diff, mult, shift)), exponent);                      \
                out = TG_CLAMP(p + (out_min), (out_min), (out_max));                                          \
            }                                                                                                 \
            y[i] = (out_t)out;                                                                                \
        }                                                                                                     \
    }

void tg_softmax_s8(const int8_t *input, int32_t num_rows, int32_t row_size, int32_t mult, int32_t shift,
                   int32_t diff_min, int8_t *output)
{
    TG_SOFTMAX_S8_BODY(int8_t, INT8_MIN, INT8_MAX)
}

void tg_softmax_s8_s16(const int8_t *input, int32_t num_rows, int32_t row_size, int32_t mult, int32_t shift,
                       int32_t diff_min, int16_t *output)
{
    TG_SOFTMAX_S8_BODY(int16_t, INT16_MIN, INT16_MAX)
}

#undef TG_SOFTMAX_S8_BODY

/* TFLite's LUTLookup: lut has 513 entries over [-32768, 32767], 128 inputs apart; linear interpolation. */
static inline int16_t lut_lookup(int32_t value, const int16_t *lut)
{
    const int32_t index = 256 + (value >> 7);
    const int32_t offset = value & 0x7f;
    const int32_t base = lut[index];
    const int32_t slope = (int16_t)(lut[index + 1] - base);
    return (int16_t)(base + ((slope * offset + 64) >> 7));
}

void tg_softmax_s16(const int16_t *input, int32_t num_rows, int32_t row_size, int32_t mult, int32_t shift,
                    const int16_t *exp_lut, const int16_t *one_over_one_plus_x_lut, int16_t *output)
{
    for (int32_t r = 0; r < num_rows; ++r) {
        const int16_t *x = input + r * row_size;
        int16_t *y = output + r * row_size;
        int32_t max = INT16_MIN;
        for (int32_t i = 0; i < row_size; ++i) {
            max = TG_MAX(max, x[i]);
        }
        /* The exponentials (Q0.15) wait in the output, as in TFLM; their sum is Q16.15. mult scales the
         * difference so that [-65535, 0] spans exp's table range [-10, 0]. */
        int32_t sum_of_exps = 0;
        for (int32_t i = 0; i < row_size; ++i) {
            const int32_t scaled_diff = tg_requantize(x[i] - max, mult, shift) + INT16_MAX;
            y[i] = lut_lookup(TG_CLAMP(scaled_diff, INT16_MIN, INT16_MAX), exp_lut);
            sum_of_exps += y[i];
        }
        /* 1 / sum: the sum normalised to [1, 2) as 1 + s, s in Q0.16 recentred to [-32768, 32767]. */
        const int32_t headroom_plus_one = tg_fp_clz((uint32_t)sum_of_exps);
        const int32_t shifted_sum =
            (int32_t)((((int64_t)sum_of_exps << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
        const int32_t sym_shifted_sum = shifted_sum - ((1 << 15) + (1 << 16));
        const int32_t reciprocal = lut_lookup(TG_CLAMP(sym_shifted_sum, INT16_MIN, INT16_MAX),
                                              one_over_one_plus_x_lut);
        const int32_t right_shift = 31 - headroom_plus_one;
        const int64_t round = (int64_t)1 << (right_shift - 1);
        for (int32_t i = 0; i < row_size; ++i) {
            const int32_t p = (int32_t)(((int64_t)y[i] * reciprocal + round) >> right_shift);
            y[i] = (int16_t)TG_CLAMP(p, 0, INT16_MAX);
        }
    }
}

void tg_softmax_f32(const float *input, int32_t num_rows, int32_t row_size, float beta, float *output)
{
    for (int32_t r = 0; r < num_rows; r++) {
        const float *x = input + r * row_size;
        float *y = output + r * row_size;
        float max = -FLT_MAX; /* std::max(max, x): a NaN input is passed over */
        for (int32_t c = 0; c < row_size; c++) {
            max = max < x[c] ? x[c] : max;
        }
        float sum = 0.0f;
        for (int32_t c = 0; c < row_size; c++) {
            const float e = expf((x[c] - max) * beta);
            y[c] = e;
            sum += e;
        }
        for (int32_t c = 0; c < row_size; c++) {
            y[c] = y[c] / sum;
        }
    }
}
