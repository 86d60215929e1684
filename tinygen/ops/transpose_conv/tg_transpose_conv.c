/* TRANSPOSE_CONV, int8 and 16x8: TFLite's reference integer_ops::TransposeConv.
 *
 * The reference scatters every input pixel into an int32 buffer the size of the output, then requantizes it.
 * Each output element's sum is the same integer when gathered: output (oy, ox) receives input (iy, ix) through
 * filter tap (fy, fx) exactly when oy = iy * stride - pad + fy (and likewise for x). So each output pixel sums
 * over the taps whose input row and column exist and lands in the output directly: no scratch buffer.
 *
 * The 16x8 form sums in int64 with an int64 bias and no zero points (TFLM's int16 kernel takes none).
 */
#include "tg_transpose_conv.h"
#include "tg_math.h"

/* The input index a tap reads for output index o (o + pad - tap = i * stride), or -1 where none does. */
static inline int32_t source(int32_t o, int32_t pad, int32_t tap, int32_t stride, int32_t size)
{
    const int32_t at = o + pad - tap;
    if (at < 0 || at % stride != 0 || at / stride >= size) {
        return -1;
    }
    return at / stride;
}

/* The gather loops of both forms: acc_t the accumulator, input_offset added to every input value,
 * requantize(acc, channel) the scaled output before output_offset and the activation clamp. */
#define TG_TRANSPOSE_CONV_BODY(elem_t, acc_t, input_offset, output_offset, requantize)                                \
    const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;                                  \
    const int32_t k_h = filter_dims->h, k_w = filter_dims->w, out_c = output_dims->c;                                \
    for (int32_t b = 0; b < output_dims->n; ++b) {                                                                   \
        for (int32_t oy = 0; oy < output_dims->h; ++oy) {                                                            \
            for (int32_t ox = 0; ox < output_dims->w; ++ox) {                                                        \
                for (int32_t oc = 0; oc < out_c; ++oc) {                                                             \
                    acc_t acc = 0;                                                                                   \
                    for (int32_t fy = 0; fy < k_h; ++fy) {                                                           \
                        const int32_t iy = source(oy, params->padding.h, fy, params->stride.h, in_h);                \
                        if (iy < 0) {                                                                                \
                            continue;                                                                                \
                        }                                                                                            \
                        for (int32_t fx = 0; fx < k_w; ++fx) {                                                       \
                            const int32_t ix = source(ox, params->padding.w, fx, params->stride.w, in_w);            \
                            if (ix < 0) {                                                                            \
                                continue;                                                                            \
                            }                                                                                        \
                            const elem_t *x = input + ((b * in_h + iy) * in_w + ix) * in_c;                          \
                            const int8_t *w = filter + ((oc * k_h + fy) * k_w + fx) * in_c;                          \
                            for (int32_t ic = 0; ic < in_c; ++ic) {                                                  \
                                acc += ((int32_t)x[ic] + (input_offset)) * (int32_t)w[ic];                           \
                            }                                                                                        \
                        }                                                                                            \
                    }                                                                                                \
                    const int32_t v = requantize(acc + bias[oc], quant->multiplier[oc], quant->shift[oc]) +          \
                                      (output_offset);                                                               \
                    *output++ = (elem_t)TG_CLAMP(v, params->activation.min, params->activation.max);                 \
                }                                                                                                    \
            }                                                                                                        \
        }                                                                                                            \
    }

void tg_transpose_conv_s8(const tg_conv_params *params, const tg_per_channel_quant_params *quant,
                          const tg_dims *input_dims, const int8_t *input, const tg_dims *filter_dims,
                          const int8_t *filter, const int32_t *bias, const tg_dims *output_dims, int8_t *output)
{
    TG_TRANSPOSE_CONV_BODY(int8_t, int32_t, params->input_offset, params->output_offset, tg_requantize)
}

void tg_transpose_conv_s16(const tg_conv_params *params, const tg_per_channel_quant_params *quant,
                           const tg_dims *input_dims, const int16_t *input, const tg_dims *filter_dims,
                           const int8_t *filter, const int64_t *bias, const tg_dims *output_dims, int16_t *output)
{
    TG_TRANSPOSE_CONV_BODY(int16_t, int64_t, 0, 0, tg_requantize_s64)
}
