/* DEPTHWISE_CONV_2D, int8: TFLite reference integer_ops::DepthwiseConvPerChannel.
 *
 * Output channels are processed in blocks with the channel loop innermost (input and filter are both
 * contiguous along channels). Each block's filter sums are computed once, so windows wholly inside the input
 * use sum(w * (x + off)) = sum(w * x) + off * sum(w); windows touching the padding skip the outside taps and add
 * the offset per element, as padding contributes nothing in the reference.
 */
#include <stddef.h>

#include "tg_math.h"
#include "tg_nn.h"

#define TG_DW_BLOCK 64 /* output channels per block: accumulators live on the stack */

/* acc[j] += w[j] * (x[input channel of j] + x_off); inlined with x_off = 0 for windows inside the input. */
static inline void accumulate(int32_t *acc, const int8_t *w, const int8_t *x, const int32_t *src, int32_t n,
                              int32_t ch_mult, int32_t x_off)
{
    if (ch_mult == 1) {
        for (int32_t j = 0; j < n; ++j) {
            acc[j] += (int32_t)w[j] * ((int32_t)x[j] + x_off);
        }
    } else {
        for (int32_t j = 0; j < n; ++j) {
            acc[j] += (int32_t)w[j] * ((int32_t)x[src[j]] + x_off);
        }
    }
}

tg_status tg_depthwise_conv_s8(const tg_context *ctx, const tg_dw_conv_params *dw_conv_params,
                               const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                               const int8_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                               const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                               int8_t *output_data)
{
    (void)ctx;
    (void)bias_dims;
    const tg_dw_conv_params *p = dw_conv_params;
    const int32_t batches = input_dims->n, in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t k_h = filter_dims->h, k_w = filter_dims->w, out_c = filter_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w;
    const int32_t ch_mult = p->ch_mult, in_off = p->input_offset, out_off = p->output_offset;
    const int32_t lo = p->activation.min, hi = p->activation.max;
    if (ch_mult < 1 || in_c * ch_mult != out_c) {
        return TG_ARG_ERROR;
    }
    const int32_t in_row = in_w * in_c;

    int32_t wsum[TG_DW_BLOCK], acc[TG_DW_BLOCK], src[TG_DW_BLOCK];
    for (int32_t b = 0; b < batches; ++b) {
        const int8_t *in_b = input_data + b * in_h * in_row;
        int8_t *out_b = output_data + b * out_h * out_w * out_c;
        for (int32_t o0 = 0; o0 < out_c; o0 += TG_DW_BLOCK) {
            const int32_t n = TG_MIN(TG_DW_BLOCK, out_c - o0);
            const int8_t *w_block = filter_data + o0;
            /* With a multiplier, output channel o reads input channel o / ch_mult: gather through src. */
            const int8_t *in_block = ch_mult == 1 ? in_b + o0 : in_b;
            for (int32_t j = 0; j < n; ++j) {
                wsum[j] = 0;
                src[j] = (o0 + j) / ch_mult;
            }
            for (int32_t t = 0; t < k_h * k_w; ++t) {
                for (int32_t j = 0; j < n; ++j) {
                    wsum[j] += w_block[t * out_c + j];
                }
            }
            for (int32_t j = 0; j < n; ++j) {
                wsum[j] = (bias_data ? bias_data[o0 + j] : 0) + in_off * wsum[j];
            }
            for (int32_t oy = 0; oy < out_h; ++oy) {
                const int32_t iy0 = oy * p->stride.h - p->padding.h;
                const int rows_inside = iy0 >= 0 && iy0 + (k_h - 1) * p->dilation.h < in_h;
                for (int32_t ox = 0; ox < out_w; ++ox) {
                    const int32_t ix0 = ox * p->stride.w - p->padding.w;
                    const int inside = rows_inside && ix0 >= 0 && ix0 + (k_w - 1) * p->dilation.w < in_w;
                    for (int32_t j = 0; j < n; ++j) {
                        acc[j] = inside ? wsum[j] : (bias_data ? bias_data[o0 + j] : 0);
                    }
                    for (int32_t ky = 0; ky < k_h; ++ky) {
                        const int32_t iy = iy0 + ky * p->dilation.h;
                        if (!inside && (iy < 0 || iy >= in_h)) {
                            continue;
                        }
                        for (int32_t kx = 0; kx < k_w; ++kx) {
                            const int32_t ix = ix0 + kx * p->dilation.w;
                            if (!inside && (ix < 0 || ix >= in_w)) {
                                continue;
                            }
                            const int8_t *x = in_block + iy * in_row + ix * in_c;
                            const int8_t *w = w_block + (ky * k_w + kx) * out_c;
                            if (inside) {
                                accumulate(acc, w, x, src, n, ch_mult, 0);
                            } else {
                                accumulate(acc, w, x, src, n, ch_mult, in_off);
                            }
                        }
                    }
                    int8_t *y = out_b + (oy * out_w + ox) * out_c + o0;
                    for (int32_t j = 0; j < n; ++j) {
                        const int32_t v = tg_requantize(acc[j], quant_params->multiplier[o0 + j],
                                                        quant_params->shift[o0 + j]) + out_off;
                        y[j] = (int8_t)TG_CLAMP(v, lo, hi);
                    }
                }
            }
        }
    }
    return TG_SUCCESS;
}
