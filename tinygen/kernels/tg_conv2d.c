/* CONV_2D, int8: TFLite reference integer_ops::ConvPerChannel, grouped when input_c is a multiple of filter_c.
 *
 * Output channels go in blocks of four (one when a block would straddle a group), so each input byte loaded
 * feeds four multiplies. Each block's filter sums are computed once: windows that lie wholly inside the input
 * use sum(w * (x + off)) = sum(w * x) + off * sum(w) and the inner loop is a plain dot product over contiguous
 * input channels. Windows that touch the padding skip the outside taps and add the offset per element, as
 * padding contributes nothing in the reference.
 */
#include <stddef.h>

#include "tg_math.h"
#include "tg_nn.h"

#define TG_CONV_BLOCK 4

static inline int32_t sum_s8(const int8_t *a, int32_t n)
{
    int32_t acc = 0;
    for (int32_t i = 0; i < n; ++i) {
        acc += a[i];
    }
    return acc;
}

/* acc[k] += w[k * w_stride + i] . x[i] over i < n, for the block's nb (1 or 4) output channels. */
static inline void dot_block(const int8_t *x, const int8_t *w, int32_t w_stride, int32_t n, int32_t nb,
                             int32_t *acc)
{
    if (nb == TG_CONV_BLOCK) {
        const int8_t *w1 = w + w_stride, *w2 = w1 + w_stride, *w3 = w2 + w_stride;
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int32_t i = 0; i < n; ++i) {
            const int32_t xv = x[i];
            a0 += (int32_t)w[i] * xv;
            a1 += (int32_t)w1[i] * xv;
            a2 += (int32_t)w2[i] * xv;
            a3 += (int32_t)w3[i] * xv;
        }
        acc[0] += a0;
        acc[1] += a1;
        acc[2] += a2;
        acc[3] += a3;
    } else {
        /* Unrolled by four with two accumulators: fewer loop branches, more independent multiplies. */
        int32_t a0 = 0, a1 = 0, i = 0;
        for (; i + 4 <= n; i += 4) {
            a0 += (int32_t)w[i] * (int32_t)x[i] + (int32_t)w[i + 2] * (int32_t)x[i + 2];
            a1 += (int32_t)w[i + 1] * (int32_t)x[i + 1] + (int32_t)w[i + 3] * (int32_t)x[i + 3];
        }
        for (; i < n; ++i) {
            a0 += (int32_t)w[i] * (int32_t)x[i];
        }
        acc[0] += a0 + a1;
    }
}

/* y[k] = the requantized, clamped acc[k], for the block's nb output channels. */
static inline void store_block(int8_t *y, const int32_t *acc, const int32_t *mult, const int32_t *shift, int32_t nb,
                               int32_t out_off, int32_t lo, int32_t hi)
{
    for (int32_t k = 0; k < nb; ++k) {
        const int32_t v = tg_requantize(acc[k], mult[k], shift[k]) + out_off;
        y[k] = (int8_t)TG_CLAMP(v, lo, hi);
    }
}

tg_status tg_convolve_s8(const tg_context *ctx, const tg_conv_params *conv_params,
                         const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                         const int8_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                         const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                         int8_t *output_data)
{
    (void)ctx;
    (void)bias_dims;
    const int32_t batches = input_dims->n, in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t out_c = filter_dims->n, k_h = filter_dims->h, k_w = filter_dims->w, f_c = filter_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w;
    const int32_t stride_h = conv_params->stride.h, stride_w = conv_params->stride.w;
    const int32_t pad_h = conv_params->padding.h, pad_w = conv_params->padding.w;
    const int32_t dil_h = conv_params->dilation.h, dil_w = conv_params->dilation.w;
    const int32_t in_off = conv_params->input_offset, out_off = conv_params->output_offset;
    const int32_t lo = conv_params->activation.min, hi = conv_params->activation.max;

    if (f_c <= 0 || in_c % f_c != 0 || out_c % (in_c / f_c) != 0) {
        return TG_ARG_ERROR;
    }
    const int32_t per_group = out_c / (in_c / f_c);
    const int32_t filter_size = k_h * k_w * f_c;
    /* 1x1, stride 1, no padding, one group: a plain matrix product over all pixels of all batches. */
    const int pointwise = k_h == 1 && k_w == 1 && stride_h == 1 && stride_w == 1 && pad_h == 0 && pad_w == 0 &&
                          f_c == in_c;
    /* Undilated, ungrouped: a filter row's taps are adjacent in the input too, so one dot product per row. */
    const int contiguous_rows = dil_w == 1 && f_c == in_c;
    const int32_t run = contiguous_rows ? k_w * f_c : f_c;
    const int32_t runs_per_row = contiguous_rows ? 1 : k_w;
    const int32_t in_row = in_w * in_c;
    const int32_t pixels = pointwise ? batches * in_h * in_w : 0;

    int32_t base[TG_CONV_BLOCK], acc[TG_CONV_BLOCK];
    for (int32_t oc = 0; oc < out_c;) {
        const int32_t group = oc / per_group;
        const int32_t nb = oc + TG_CONV_BLOCK <= out_c && (oc + TG_CONV_BLOCK - 1) / per_group == group
                               ? TG_CONV_BLOCK : 1;
        const int8_t *w = filter_data + oc * filter_size;
        const int32_t *mult = quant_params->multiplier + oc, *shift = quant_params->shift + oc;
        const int32_t *bias = bias_data ? bias_data + oc : NULL;
        for (int32_t k = 0; k < nb; ++k) {
            base[k] = (bias ? bias[k] : 0) + in_off * sum_s8(w + k * filter_size, filter_size);
        }
        for (int32_t p = 0; p < pixels; ++p) {
            for (int32_t k = 0; k < nb; ++k) {
                acc[k] = base[k];
            }
            dot_block(input_data + p * in_c, w, filter_size, in_c, nb, acc);
            store_block(output_data + p * out_c + oc, acc, mult, shift, nb, out_off, lo, hi);
        }
        for (int32_t b = 0; b < (pointwise ? 0 : batches); ++b) { /* the pointwise case is done above */
            const int8_t *in_g = input_data + b * in_h * in_row + group * f_c;
            int8_t *out_b = output_data + b * out_h * out_w * out_c + oc;
            for (int32_t oy = 0; oy < out_h; ++oy) {
                const int32_t iy0 = oy * stride_h - pad_h;
                const int rows_inside = iy0 >= 0 && iy0 + (k_h - 1) * dil_h < in_h;
                for (int32_t ox = 0; ox < out_w; ++ox) {
                    const int32_t ix0 = ox * stride_w - pad_w;
                    if (rows_inside && ix0 >= 0 && ix0 + (k_w - 1) * dil_w < in_w) {
                        for (int32_t k = 0; k < nb; ++k) {
                            acc[k] = base[k];
                        }
                        int32_t w_run = 0;
                        for (int32_t ky = 0; ky < k_h; ++ky) {
                            const int8_t *x_row = in_g + (iy0 + ky * dil_h) * in_row + ix0 * in_c;
                            for (int32_t r = 0; r < runs_per_row; ++r, w_run += run) {
                                dot_block(x_row + r * dil_w * in_c, w + w_run, filter_size, run, nb, acc);
                            }
                        }
                    } else {
                        for (int32_t k = 0; k < nb; ++k) {
                            acc[k] = bias ? bias[k] : 0;
                        }
                        for (int32_t ky = 0; ky < k_h; ++ky) {
                            const int32_t iy = iy0 + ky * dil_h;
                            for (int32_t kx = 0; kx < k_w && iy >= 0 && iy < in_h; ++kx) {
                                const int32_t ix = ix0 + kx * dil_w;
                                if (ix < 0 || ix >= in_w) {
                                    continue;
                                }
                                const int8_t *x = in_g + iy * in_row + ix * in_c;
                                for (int32_t k = 0; k < nb; ++k) {
                                    const int8_t *wt = w + k * filter_size + (ky * k_w + kx) * f_c;
                                    for (int32_t c = 0; c < f_c; ++c) {
                                        acc[k] += (int32_t)wt[c] * ((int32_t)x[c] + in_off);
                                    }
                                }
                            }
                        }
                    }
                    store_block(out_b + (oy * out_w + ox) * out_c, acc, mult, shift, nb, out_off, lo, hi);
                }
            }
        }
        oc += nb;
    }
    return TG_SUCCESS;
}
