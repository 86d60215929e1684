/* DEPTHWISE_CONV_2D, int8: TFLite reference integer_ops::DepthwiseConvPerChannel.
 *
 * Channels are contiguous in input, filter and output, so each window walks them in order: four adjacent
 * channels at a time accumulate in registers over the window's taps (one load per input and weight byte, no
 * accumulator traffic through memory). Filter sums are precomputed for a block of channels, so windows wholly
 * inside the input use sum(w * (x + off)) = sum(w * x) + off * sum(w); windows touching the padding are clipped
 * to the taps inside (padding contributes nothing in the reference) and add the offset per element.
 */
#include <stddef.h>

#include "tg_int4.h"
#include "tg_math.h"
#include "tg_depthwise_conv2d.h"

#define TG_DW_BLOCK 64 /* channels whose filter sums are kept on the stack at a time */

/* The taps of one window that lie inside the input: rows x cols of them, with byte steps between taps. */
typedef struct {
    const int8_t *x; /* input at the first inside tap, channel 0 */
    const int8_t *w; /* filter at the same tap, channel 0 */
    int32_t rows, cols;
    int32_t x_row, x_col, w_row, w_col;
} tg_dw_taps;

/* acc[k] += sum over taps of w[c + k] * (x[c + k] + x_off), for four adjacent channels (multiplier 1). */
static inline void window4(const tg_dw_taps *t, int32_t c, int32_t x_off, int32_t *acc)
{
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    for (int32_t ky = 0; ky < t->rows; ++ky) {
        for (int32_t kx = 0; kx < t->cols; ++kx) {
            const int8_t *x = t->x + ky * t->x_row + kx * t->x_col + c;
            const int8_t *w = t->w + ky * t->w_row + kx * t->w_col + c;
            a0 += (int32_t)w[0] * ((int32_t)x[0] + x_off);
            a1 += (int32_t)w[1] * ((int32_t)x[1] + x_off);
            a2 += (int32_t)w[2] * ((int32_t)x[2] + x_off);
            a3 += (int32_t)w[3] * ((int32_t)x[3] + x_off);
        }
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* sum over taps of w[wc] * (x[xc] + x_off): one output channel wc reading input channel xc. */
static inline int32_t window1(const tg_dw_taps *t, int32_t xc, int32_t wc, int32_t x_off)
{
    int32_t a = 0;
    for (int32_t ky = 0; ky < t->rows; ++ky) {
        for (int32_t kx = 0; kx < t->cols; ++kx) {
            a += (int32_t)t->w[ky * t->w_row + kx * t->w_col + wc] *
                 ((int32_t)t->x[ky * t->x_row + kx * t->x_col + xc] + x_off);
        }
    }
    return a;
}

void tg_depthwise_conv_s8(const tg_context *ctx, const tg_dw_conv_params *dw_conv_params,
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
    const int32_t *mult = quant_params->multiplier, *shift = quant_params->shift;
    const int32_t in_row = in_w * in_c;

    /* Per channel of the block: the starting sum of a full window (bias + off * filter sum), of a clipped one
     * (bias), and the input channel read (o / ch_mult). */
    int32_t full_base[TG_DW_BLOCK], clipped_base[TG_DW_BLOCK], src[TG_DW_BLOCK];
    for (int32_t b = 0; b < batches; ++b) {
        const int8_t *in_b = input_data + b * in_h * in_row;
        int8_t *out_b = output_data + b * out_h * out_w * out_c;
        for (int32_t o0 = 0; o0 < out_c; o0 += TG_DW_BLOCK) {
            const int32_t n = TG_MIN(TG_DW_BLOCK, out_c - o0);
            for (int32_t j = 0; j < n; ++j) {
                int32_t sum = 0;
                for (int32_t t = 0; t < k_h * k_w; ++t) {
                    sum += filter_data[t * out_c + o0 + j];
                }
                clipped_base[j] = bias_data ? bias_data[o0 + j] : 0;
                full_base[j] = clipped_base[j] + in_off * sum;
                src[j] = (o0 + j) / ch_mult;
            }
            for (int32_t oy = 0; oy < out_h; ++oy) {
                const int32_t iy0 = oy * p->stride.h - p->padding.h;
                int32_t ky_lo, ky_hi;
                tg_window_taps(iy0, k_h, p->dilation.h, in_h, &ky_lo, &ky_hi);
                for (int32_t ox = 0; ox < out_w; ++ox) {
                    const int32_t ix0 = ox * p->stride.w - p->padding.w;
                    int32_t kx_lo, kx_hi;
                    tg_window_taps(ix0, k_w, p->dilation.w, in_w, &kx_lo, &kx_hi);
                    const int full = ky_lo == 0 && ky_hi == k_h && kx_lo == 0 && kx_hi == k_w;
                    tg_dw_taps t = { input_data, filter_data, 0, 0, p->dilation.h * in_row, p->dilation.w * in_c,
                                     k_w * out_c, out_c };
                    if (ky_hi > ky_lo && kx_hi > kx_lo) {
                        t.x = in_b + (iy0 + ky_lo * p->dilation.h) * in_row + (ix0 + kx_lo * p->dilation.w) * in_c;
                        t.w = filter_data + (ky_lo * k_w + kx_lo) * out_c;
                        t.rows = ky_hi - ky_lo;
                        t.cols = kx_hi - kx_lo;
                    }
                    const int32_t *base = full ? full_base : clipped_base;
                    int8_t *y = out_b + (oy * out_w + ox) * out_c + o0;
                    int32_t j = 0;
                    for (; ch_mult == 1 && j + 4 <= n; j += 4) {
                        int32_t acc[4] = { base[j], base[j + 1], base[j + 2], base[j + 3] };
                        if (full) {
                            window4(&t, o0 + j, 0, acc);
                        } else {
                            window4(&t, o0 + j, in_off, acc);
                        }
                        for (int32_t k = 0; k < 4; ++k) {
                            const int32_t v = tg_requantize(acc[k], mult[o0 + j + k], shift[o0 + j + k]) + out_off;
                            y[j + k] = (int8_t)TG_CLAMP(v, lo, hi);
                        }
                    }
                    for (; j < n; ++j) { /* channels left over, and every channel with a multiplier */
                        const int32_t acc = base[j] + window1(&t, src[j], o0 + j, full ? 0 : in_off);
                        const int32_t v = tg_requantize(acc, mult[o0 + j], shift[o0 + j]) + out_off;
                        y[j] = (int8_t)TG_CLAMP(v, lo, hi);
                    }
                }
            }
        }
    }
}

/* int4 weights: the whole filter unpacked into ctx->buf (kh * kw * out_c bytes), then the int8 kernel. Its
 * channels are innermost, so one channel's taps are spread over the filter: unpacking it all at once costs a
 * fraction of one output pixel's work per weight and keeps the int8 kernel's access pattern. */
void tg_depthwise_conv_s4(const tg_context *ctx, const tg_dw_conv_params *dw_conv_params,
                          const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                          const int8_t *input_data, const tg_dims *filter_dims, const int8_t *packed_filter_data,
                          const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                          int8_t *output_data)
{
    int8_t *filter = (int8_t *)ctx->buf;
    tg_unpack_int4(packed_filter_data, 0, filter_dims->h * filter_dims->w * filter_dims->c, filter);
    tg_depthwise_conv_s8(ctx, dw_conv_params, quant_params, input_dims, input_data, filter_dims, filter, bias_dims,
                         bias_data, output_dims, output_data);
}

/* sum over the k_h x k_w taps of w[t] * x[ky * x_row + kx * dw] (a window wholly inside the plane). */
static inline int32_t plane_window(const int8_t *x, const int8_t *w, int32_t k_h, int32_t k_w, int32_t x_row,
                                   int32_t dw)
{
    int32_t acc = 0;
    if (k_h == 3 && k_w == 3 && dw == 1) { /* the common 3x3 window, unrolled */
        const int8_t *x1 = x + x_row, *x2 = x1 + x_row;
        return (int32_t)w[0] * x[0] + (int32_t)w[1] * x[1] + (int32_t)w[2] * x[2] + (int32_t)w[3] * x1[0] +
               (int32_t)w[4] * x1[1] + (int32_t)w[5] * x1[2] + (int32_t)w[6] * x2[0] + (int32_t)w[7] * x2[1] +
               (int32_t)w[8] * x2[2];
    }
    for (int32_t ky = 0; ky < k_h; ++ky, x += x_row, w += k_w) {
        for (int32_t kx = 0; kx < k_w; ++kx) {
            acc += (int32_t)w[kx] * x[kx * dw];
        }
    }
    return acc;
}

void tg_depthwise_conv_inplace_s8(const tg_context *ctx, const tg_dw_conv_params *dw_conv_params,
                                  const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                                  const int8_t *input_data, const tg_dims *filter_dims,
                                  const int8_t *filter_data, const tg_dims *bias_dims,
                                  const int32_t *bias_data, const tg_dims *output_dims, int8_t *output_data)
{
    (void)bias_dims;
    const tg_dw_conv_params *p = dw_conv_params;
    const int32_t batches = input_dims->n, in_h = input_dims->h, in_w = input_dims->w, ch = input_dims->c;
    const int32_t k_h = filter_dims->h, k_w = filter_dims->w;
    const int32_t out_h = output_dims->h, out_w = output_dims->w;
    const int32_t in_off = p->input_offset, out_off = p->output_offset;
    const int32_t lo = p->activation.min, hi = p->activation.max;
    const int32_t sh = p->stride.h, sw = p->stride.w, dh = p->dilation.h, dw = p->dilation.w;
    const int32_t plane_size = in_h * in_w, taps = k_h * k_w;
    int8_t *plane = (int8_t *)ctx->buf;
    int8_t *w = plane + plane_size; /* the channel's filter taps, contiguous */
    /* Output columns whose windows lie inside the input's columns: ix0 >= 0 and ix0 + (k_w-1)*dw < in_w. */
    const int32_t pad_w = p->padding.w, span_w = (k_w - 1) * dw;
    const int32_t full_lo = (pad_w + sw - 1) / sw;
    const int32_t full_hi = in_w - 1 - span_w + pad_w < 0 ? 0 : TG_MIN(out_w, (in_w - 1 - span_w + pad_w) / sw + 1);
    /* TinyEngine's in-place depthwise: channel by channel, the channel's input plane is copied to scratch first,
     * then its outputs go straight into the tensor. Output (b, y, x, c) is byte (b*out_h*out_w + y*out_w + x)*ch
     * + c: a byte of channel c (input and output have the same channels) at a pixel index below
     * (b+1)*in_h*in_w, so in batch b's input, whose channel c is in scratch by now, or in an earlier batch,
     * consumed already. Other channels' bytes are never written. */
    for (int32_t b = 0; b < batches; ++b) {
        const int8_t *in_b = input_data + b * plane_size * ch;
        int8_t *out_b = output_data + b * out_h * out_w * ch;
        for (int32_t c = 0; c < ch; ++c) {
            for (int32_t i = 0; i < plane_size; ++i) {
                plane[i] = in_b[i * ch + c];
            }
            int32_t sum = 0;
            for (int32_t t = 0; t < taps; ++t) {
                w[t] = filter_data[t * ch + c];
                sum += w[t];
            }
            /* Windows inside the input: sum(w * (x + off)) = sum(w * x) + off * sum(w); clipped windows add the
             * offset per tap inside (padding contributes nothing in the reference). */
            const int32_t clipped_base = bias_data ? bias_data[c] : 0;
            const int32_t full_base = clipped_base + in_off * sum;
            const int32_t mult = quant_params->multiplier[c], shift = quant_params->shift[c];
            int8_t *y = out_b + c;
            for (int32_t oy = 0; oy < out_h; ++oy) {
                const int32_t iy0 = oy * sh - p->padding.h;
                int32_t ky_lo, ky_hi;
                tg_window_taps(iy0, k_h, dh, in_h, &ky_lo, &ky_hi);
                /* Columns [ox_lo, ox_hi) have windows wholly inside the row range: no clipping to test. */
                const int32_t ox_lo = ky_lo == 0 && ky_hi == k_h ? TG_MIN(out_w, full_lo) : out_w;
                const int32_t ox_hi = TG_MAX(ox_lo, full_hi);
                for (int32_t ox = 0; ox < out_w; ++ox, y += ch) {
                    const int32_t ix0 = ox * sw - p->padding.w;
                    int32_t acc;
                    if (ox >= ox_lo && ox < ox_hi) {
                        acc = full_base + plane_window(plane + iy0 * in_w + ix0, w, k_h, k_w, dh * in_w, dw);
                    } else {
                        int32_t kx_lo, kx_hi;
                        tg_window_taps(ix0, k_w, dw, in_w, &kx_lo, &kx_hi);
                        acc = clipped_base;
                        for (int32_t ky = ky_lo; ky < (kx_hi > kx_lo ? ky_hi : ky_lo); ++ky) {
                            const int8_t *x = plane + (iy0 + ky * dh) * in_w + ix0 + kx_lo * dw;
                            const int8_t *wr = w + ky * k_w + kx_lo;
                            for (int32_t k = 0; k < kx_hi - kx_lo; ++k) {
                                acc += (int32_t)wr[k] * ((int32_t)x[k * dw] + in_off);
                            }
                        }
                    }
                    const int32_t v = tg_requantize(acc, mult, shift) + out_off;
                    *y = (int8_t)TG_CLAMP(v, lo, hi);
                }
            }
        }
    }
}

/* 16x8 (int16 activations, int8 weights, int64 bias): TFLite reference integer_ops::DepthwiseConvPerChannel for
 * int16, which takes no zero points (the lowering requires them to be 0) and rescales the int64 accumulator with
 * the int64 form of MultiplyByQuantizedMultiplier. */
void tg_depthwise_conv_s16(const tg_context *ctx, const tg_dw_conv_params *dw_conv_params,
                           const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                           const int16_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                           const tg_dims *bias_dims, const int64_t *bias_data, const tg_dims *output_dims,
                           int16_t *output_data)
{
    (void)ctx;
    (void)bias_dims;
    const int32_t batches = input_dims->n, in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t k_h = filter_dims->h, k_w = filter_dims->w, out_c = filter_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w, ch_mult = dw_conv_params->ch_mult;
    const int32_t dil_h = dw_conv_params->dilation.h, dil_w = dw_conv_params->dilation.w;
    const int32_t lo = dw_conv_params->activation.min, hi = dw_conv_params->activation.max;

    for (int32_t b = 0; b < batches; ++b) {
        for (int32_t oy = 0; oy < out_h; ++oy) {
            const int32_t iy0 = oy * dw_conv_params->stride.h - dw_conv_params->padding.h;
            int32_t ky_lo, ky_hi;
            tg_window_taps(iy0, k_h, dil_h, in_h, &ky_lo, &ky_hi);
            for (int32_t ox = 0; ox < out_w; ++ox) {
                const int32_t ix0 = ox * dw_conv_params->stride.w - dw_conv_params->padding.w;
                int32_t kx_lo, kx_hi;
                tg_window_taps(ix0, k_w, dil_w, in_w, &kx_lo, &kx_hi);
                int16_t *out = output_data + ((b * out_h + oy) * out_w + ox) * out_c;
                for (int32_t oc = 0; oc < out_c; ++oc) {
                    const int16_t *in_b = input_data + b * in_h * in_w * in_c + oc / ch_mult;
                    int64_t acc = 0;
                    for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
                        for (int32_t kx = kx_lo; kx < kx_hi; ++kx) {
                            acc += (int32_t)filter_data[(ky * k_w + kx) * out_c + oc] *
                                   (int32_t)in_b[((iy0 + ky * dil_h) * in_w + ix0 + kx * dil_w) * in_c];
                        }
                    }
                    if (bias_data) {
                        acc += bias_data[oc];
                    }
                    const int32_t scaled =
                        tg_requantize_s64(acc, quant_params->multiplier[oc], quant_params->shift[oc]);
                    out[oc] = (int16_t)TG_CLAMP(scaled, lo, hi);
                }
            }
        }
    }
}

void tg_depthwise_conv_f32(const tg_dw_conv_f32_params *p, const float *input, const float *filter,
                           const float *bias, float *output)
{
    const tg_dims in = p->input, f = p->filter, out = p->output;
    for (int32_t b = 0; b < out.n; b++) {
        for (int32_t oy = 0; oy < out.h; oy++) {
            const int32_t in_y0 = oy * p->stride.h - p->padding.h;
            for (int32_t ox = 0; ox < out.w; ox++) {
                const int32_t in_x0 = ox * p->stride.w - p->padding.w;
                for (int32_t ic = 0; ic < in.c; ic++) {
                    for (int32_t m = 0; m < p->depth_multiplier; m++) {
                        const int32_t oc = m + ic * p->depth_multiplier;
                        float total = 0.0f; /* taps in the padding are skipped, as in the reference */
                        for (int32_t ky = 0; ky < f.h; ky++) {
                            const int32_t iy = in_y0 + ky * p->dilation.h;
                            for (int32_t kx = 0; kx < f.w; kx++) {
                                const int32_t ix = in_x0 + kx * p->dilation.w;
                                if (ix >= 0 && ix < in.w && iy >= 0 && iy < in.h) {
                                    total += input[((b * in.h + iy) * in.w + ix) * in.c + ic] *
                                             filter[(ky * f.w + kx) * f.c + oc];
                                }
                            }
                        }
                        const float bias_value = bias != NULL ? bias[oc] : 0.0f;
                        output[((b * out.h + oy) * out.w + ox) * out.c + oc] =
                            tg_clamp_f32(total + bias_value, p->activation);
                    }
                }
            }
        }
    }
}
