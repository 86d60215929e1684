/* CONV_2D, int8: TFLite reference integer_ops::ConvPerChannel, grouped when input_c is a multiple of filter_c.
 *
 * One output channel at a time: its filter sum is computed once, so windows that lie wholly inside the input
 * use sum(w * (x + off)) = sum(w * x) + off * sum(w) and the inner loop is a plain dot product over contiguous
 * input channels. Windows that touch the padding skip the outside taps and add the offset per element, as
 * padding contributes nothing in the reference.
 */
#include <stddef.h>

#include "tg_math.h"
#include "tg_nn.h"

static inline int32_t dot_s8(const int8_t *a, const int8_t *b, int32_t n)
{
    int32_t acc = 0;
    for (int32_t i = 0; i < n; ++i) {
        acc += (int32_t)a[i] * (int32_t)b[i];
    }
    return acc;
}

static inline int32_t sum_s8(const int8_t *a, int32_t n)
{
    int32_t acc = 0;
    for (int32_t i = 0; i < n; ++i) {
        acc += a[i];
    }
    return acc;
}

static inline int8_t finish(int32_t acc, int32_t mult, int32_t shift, int32_t out_off, int32_t lo, int32_t hi)
{
    acc = tg_requantize(acc, mult, shift) + out_off;
    return (int8_t)TG_CLAMP(acc, lo, hi);
}

/* 1x1, stride 1, no padding, one group: output[p][oc] = filter[oc] . input[p], a plain matrix product. */
static void pointwise(const tg_conv_params *cp, const tg_per_channel_quant_params *q, int32_t pixels, int32_t in_c,
                      int32_t out_c, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output)
{
    const int32_t lo = cp->activation.min, hi = cp->activation.max, out_off = cp->output_offset;
    for (int32_t oc = 0; oc < out_c; ++oc) {
        const int8_t *w = filter + oc * in_c;
        const int32_t base = (bias ? bias[oc] : 0) + cp->input_offset * sum_s8(w, in_c);
        const int32_t mult = q->multiplier[oc], shift = q->shift[oc];
        for (int32_t p = 0; p < pixels; ++p) {
            output[p * out_c + oc] = finish(base + dot_s8(w, input + p * in_c, in_c), mult, shift, out_off, lo, hi);
        }
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
    const int32_t groups = in_c / f_c, per_group = out_c / groups;
    if (k_h == 1 && k_w == 1 && stride_h == 1 && stride_w == 1 && pad_h == 0 && pad_w == 0 && groups == 1) {
        pointwise(conv_params, quant_params, batches * in_h * in_w, in_c, out_c, input_data, filter_data,
                  bias_data, output_data);
        return TG_SUCCESS;
    }
    const int32_t filter_size = k_h * k_w * f_c;
    /* Undilated, ungrouped: a filter row's taps are adjacent in the input too, so one dot product per row. */
    const int contiguous_rows = dil_w == 1 && groups == 1;
    const int32_t run = contiguous_rows ? k_w * f_c : f_c;
    const int32_t runs_per_row = contiguous_rows ? 1 : k_w;
    const int32_t in_row = in_w * in_c;

    for (int32_t b = 0; b < batches; ++b) {
        const int8_t *in_b = input_data + b * in_h * in_row;
        int8_t *out_b = output_data + b * out_h * out_w * out_c;
        for (int32_t oc = 0; oc < out_c; ++oc) {
            const int8_t *w = filter_data + oc * filter_size;
            const int8_t *in_g = in_b + (oc / per_group) * f_c;
            const int32_t bias = bias_data ? bias_data[oc] : 0;
            const int32_t inside_base = bias + in_off * sum_s8(w, filter_size);
            const int32_t mult = quant_params->multiplier[oc], shift = quant_params->shift[oc];
            for (int32_t oy = 0; oy < out_h; ++oy) {
                const int32_t iy0 = oy * stride_h - pad_h;
                const int rows_inside = iy0 >= 0 && iy0 + (k_h - 1) * dil_h < in_h;
                int8_t *y = out_b + oy * out_w * out_c + oc;
                for (int32_t ox = 0; ox < out_w; ++ox) {
                    const int32_t ix0 = ox * stride_w - pad_w;
                    int32_t acc;
                    if (rows_inside && ix0 >= 0 && ix0 + (k_w - 1) * dil_w < in_w) {
                        acc = inside_base;
                        const int8_t *w_run = w;
                        for (int32_t ky = 0; ky < k_h; ++ky) {
                            const int8_t *x_row = in_g + (iy0 + ky * dil_h) * in_row + ix0 * in_c;
                            for (int32_t r = 0; r < runs_per_row; ++r, w_run += run) {
                                acc += dot_s8(w_run, x_row + r * dil_w * in_c, run);
                            }
                        }
                    } else {
                        acc = bias;
                        for (int32_t ky = 0; ky < k_h; ++ky) {
                            const int32_t iy = iy0 + ky * dil_h;
                            if (iy < 0 || iy >= in_h) {
                                continue;
                            }
                            for (int32_t kx = 0; kx < k_w; ++kx) {
                                const int32_t ix = ix0 + kx * dil_w;
                                if (ix < 0 || ix >= in_w) {
                                    continue;
                                }
                                const int8_t *x = in_g + iy * in_row + ix * in_c;
                                const int8_t *wt = w + (ky * k_w + kx) * f_c;
                                for (int32_t c = 0; c < f_c; ++c) {
                                    acc += (int32_t)wt[c] * ((int32_t)x[c] + in_off);
                                }
                            }
                        }
                    }
                    y[ox * out_c] = finish(acc, mult, shift, out_off, lo, hi);
                }
            }
        }
    }
    return TG_SUCCESS;
}
