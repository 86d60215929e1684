/* LOG_SOFTMAX, int8: TFLite's reference_ops::LogSoftmaxQuantized, in gemmlowp fixed point. Differences to the
 * row maximum become Q5.26, their exponentials Q0, summed as Q12.19; the log of the sum is Q5.26. */
#include "tg_log_softmax.h"

#include "tg_fixedpoint.h"
#include "tg_math.h"

#define INPUT_INTEGER_BITS 5
#define ACCUMULATION_INTEGER_BITS 12
#define OUTPUT_INTEGER_BITS 4

static int32_t saturating_add(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + b;
    return (int32_t)TG_CLAMP(sum, INT32_MIN, INT32_MAX);
}

static int32_t saturating_sub(int32_t a, int32_t b)
{
    const int64_t diff = (int64_t)a - b;
    return (int32_t)TG_CLAMP(diff, INT32_MIN, INT32_MAX);
}

/* log(x) for x >= 1 with `in_bits` integer bits, as Q(out_bits) (log_x_for_x_greater_than_or_equal_to_1_impl):
 * x = 2^z · r with r near 1, log(x) = z · log 2 + log(r), the latter a rational approximation. The result is
 * accumulated with one integer bit more than the output's. */
static int32_t log_x_for_x_ge_1(int32_t x, int32_t in_bits, int32_t out_bits)
{
    const int32_t accum_bits = out_bits + 1;
    const int32_t log_2 = 1488522236;
    const int32_t sqrt_sqrt_half = 1805811301;
    const int32_t sqrt_half = 1518500250;
    const int32_t one_quarter = 536870912;
    const int32_t alpha_n = 117049297;
    const int32_t alpha_d = 127690142;
    const int32_t alpha_i = 1057819769;
    const int32_t alpha_f = 638450708;
    const int32_t shifted_quarter = tg_fp_rescale(one_quarter, 0, accum_bits);

    /* z_a: x read as Q0; its headroom gives the power of two. */
    const int32_t z_a_headroom_plus_1 = tg_fp_clz((uint32_t)x);
    const int32_t r_a_tmp = tg_fp_mul_by_pot(x, z_a_headroom_plus_1 - 1);
    const int32_t r_a_raw = tg_fp_mul_by_pot(tg_fp_mul(r_a_tmp, sqrt_half), 1);
    const int32_t z_a_pow_2_adj =
        saturating_add(tg_fp_mul_by_pot(in_bits - z_a_headroom_plus_1, 31 - accum_bits), shifted_quarter);
    /* z_b: the same, premultiplied by sqrt(1/2). */
    const int32_t z_b = tg_fp_mul(x, sqrt_half);
    const int32_t z_b_headroom = tg_fp_clz((uint32_t)z_b) - 1;
    const int32_t r_b_raw = tg_fp_mul_by_pot(x, z_b_headroom);
    const int32_t z_b_pow_2_adj =
        saturating_sub(tg_fp_mul_by_pot(in_bits - z_b_headroom, 31 - accum_bits), shifted_quarter);

    const int32_t r = TG_MIN(r_a_raw, r_b_raw);
    const int32_t z_pow_2_adj = TG_MAX(z_a_pow_2_adj, z_b_pow_2_adj);

    const int32_t p = tg_fp_rounding_half_sum(r, sqrt_sqrt_half);
    int32_t q = tg_fp_sub(r, sqrt_sqrt_half);
    q = tg_fp_add(q, q);
    const int32_t common_sq = tg_fp_mul(q, q);
    const int32_t num = tg_fp_add(tg_fp_mul(q, r), tg_fp_mul(tg_fp_mul(q, common_sq), alpha_n));
    const int32_t denom_minus_one =
        tg_fp_add(tg_fp_mul(p, tg_fp_add(tg_fp_add(alpha_i, q), tg_fp_mul(alpha_d, common_sq))),
                  tg_fp_mul(alpha_f, q));
    const int32_t recip_denom = tg_fp_one_over_one_plus_x_for_x_in_0_1(denom_minus_one);
    const int32_t num_scaled = tg_fp_rescale(num, 0, accum_bits);
    const int32_t sum = tg_fp_add(tg_fp_mul(z_pow_2_adj, log_2), tg_fp_mul(num_scaled, recip_denom));
    return tg_fp_rescale(sum, accum_bits, out_bits);
}

void tg_log_softmax_s8(const tg_log_softmax_params *params, const int8_t *input, int32_t rows, int32_t depth,
                       int8_t *output)
{
    for (int32_t o = 0; o < rows; ++o) {
        const int8_t *x = input + o * depth;
        int8_t *y = output + o * depth;
        int32_t max = INT8_MIN;
        for (int32_t i = 0; i < depth; ++i) {
            max = TG_MAX(max, x[i]);
        }
        /* The lowering keeps depth below 4096: the sum of at most 2^19 each cannot overflow. */
        int32_t sum_of_exps = 0;
        for (int32_t i = 0; i < depth; ++i) {
            const int32_t diff = x[i] - max;
            if (diff >= params->diff_min) {
                const int32_t diff_q5 = tg_requantize(diff, params->input_multiplier, params->input_left_shift);
                sum_of_exps += tg_fp_rescale(tg_fp_exp_on_negative_values(diff_q5, INPUT_INTEGER_BITS), 0,
                                             ACCUMULATION_INTEGER_BITS);
            }
        }
        const int32_t log_sum = log_x_for_x_ge_1(sum_of_exps, ACCUMULATION_INTEGER_BITS, INPUT_INTEGER_BITS);
        /* Differences at or below this give outputs below the smallest Q5.26 value: the minimum. */
        const int32_t adjusted_diff_min =
            TG_MAX(params->diff_min - 1, tg_requantize(log_sum + INT32_MIN, params->reverse_scaling_divisor,
                                                       params->reverse_scaling_shift));
        /* Row reads finish before element i is written, which follows its read: safe in place. */
        for (int32_t i = 0; i < depth; ++i) {
            const int32_t diff = x[i] - max;
            int32_t out = INT8_MIN;
            if (diff > adjusted_diff_min) {
                const int32_t diff_q5 = tg_requantize(diff, params->input_multiplier, params->input_left_shift);
                out = tg_rounding_divide_by_pot(tg_fp_sub(diff_q5, log_sum),
                                                31 - INPUT_INTEGER_BITS - OUTPUT_INTEGER_BITS) + INT8_MAX;
                out = TG_CLAMP(out, INT8_MIN, INT8_MAX);
            }
            y[i] = (int8_t)out;
        }
    }
}
