/* CONV_2D, int8: TFLite reference integer_ops::ConvPerChannel, grouped when input_c is a multiple of filter_c.
 *
 * Output channels go in blocks of four (one when a block would straddle a group), so each input byte loaded
 * feeds four multiplies. The inner loop is a plain dot product over contiguous input channels (a whole filter
 * row when undilated): sum(w * (x + off)) = sum(w * x) + off * sum(w), with each block's filter sums computed
 * once. Windows that touch the padding are clipped to the taps inside the input (padding contributes nothing
 * in the reference) and sum the weights of just those taps.
 */
#include <stddef.h>

#include "tg_conv2d.h"
#include "tg_int4.h"
#include "tg_math.h"

#define TG_CONV_BLOCK 4

static inline int32_t sum_s8(const int8_t *a, int32_t n)
{
    int32_t acc = 0;
    for (int32_t i = 0; i < n; ++i) {
        acc += a[i];
    }
    return acc;
}

/* sums[k] += the sum of w[k * w_stride + i] over i < n, for the block's nb output channels. */
static inline void sum_block(const int8_t *w, int32_t w_stride, int32_t n, int32_t nb, int32_t *sums)
{
    for (int32_t k = 0; k < nb; ++k) {
        sums[k] += sum_s8(w + k * w_stride, n);
    }
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

/* The residual epilogue (ADD after the convolution): out[y_off + k] = ADD(conv value k, residual[y_off + k]).
 * Each residual element is read just before the output element at the same offset is written, so the output
 * may be the residual itself. */
typedef struct {
    const tg_add_params *add; /* NULL: plain convolution */
    const int8_t *residual;
} tg_conv_epilogue;

static inline void store_out(int8_t *out, int32_t y_off, const tg_conv_epilogue *e, const int32_t *acc,
                             const int32_t *mult, const int32_t *shift, int32_t nb, int32_t out_off, int32_t lo,
                             int32_t hi)
{
    if (e->add == NULL) {
        store_block(out + y_off, acc, mult, shift, nb, out_off, lo, hi);
        return;
    }
    int8_t conv[TG_CONV_BLOCK];
    store_block(conv, acc, mult, shift, nb, out_off, lo, hi);
    for (int32_t k = 0; k < nb; ++k) {
        out[y_off + k] = tg_add_s8_one(e->add, conv[k], e->residual[y_off + k]);
    }
}

static void convolve(const tg_conv_params *conv_params, const tg_per_channel_quant_params *quant_params,
                     const tg_dims *input_dims, const int8_t *input_data, const tg_dims *filter_dims,
                     const int8_t *filter_data, const int32_t *bias_data, const tg_dims *output_dims,
                     int8_t *output_data, const tg_conv_epilogue *epilogue, int8_t *unpacked)
{
    const int32_t batches = input_dims->n, in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t out_c = filter_dims->n, k_h = filter_dims->h, k_w = filter_dims->w, f_c = filter_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w;
    const int32_t stride_h = conv_params->stride.h, stride_w = conv_params->stride.w;
    const int32_t pad_h = conv_params->padding.h, pad_w = conv_params->padding.w;
    const int32_t dil_h = conv_params->dilation.h, dil_w = conv_params->dilation.w;
    const int32_t in_off = conv_params->input_offset, out_off = conv_params->output_offset;
    const int32_t lo = conv_params->activation.min, hi = conv_params->activation.max;

    const int32_t per_group = out_c / (in_c / f_c);
    const int32_t filter_size = k_h * k_w * f_c;
    /* 1x1, stride 1, no padding, one group: a plain matrix product over all pixels of all batches. */
    const int pointwise = k_h == 1 && k_w == 1 && stride_h == 1 && stride_w == 1 && pad_h == 0 && pad_w == 0 &&
                          f_c == in_c;
    /* Undilated, ungrouped: a filter row's taps are adjacent in the input too, so one dot product per row. */
    const int contiguous_rows = dil_w == 1 && f_c == in_c;
    const int32_t in_row = in_w * in_c;
    const int32_t pixels = pointwise ? batches * in_h * in_w : 0;

    int32_t bias_block[TG_CONV_BLOCK], base[TG_CONV_BLOCK], acc[TG_CONV_BLOCK];
    for (int32_t oc = 0; oc < out_c;) {
        const int32_t group = oc / per_group;
        const int32_t nb = oc + TG_CONV_BLOCK <= out_c && (oc + TG_CONV_BLOCK - 1) / per_group == group
                               ? TG_CONV_BLOCK : 1;
        const int8_t *w = filter_data + oc * filter_size;
        if (unpacked != NULL) { /* int4: filter_data is packed; the block's filters go to scratch */
            tg_unpack_int4(filter_data, oc * filter_size, nb * filter_size, unpacked);
            w = unpacked;
        }
        const int32_t *mult = quant_params->multiplier + oc, *shift = quant_params->shift + oc;
        const int32_t *bias = bias_data ? bias_data + oc : NULL;
        /* Loops over the whole block size, not nb: fixed trip counts stay inline (no memcpy/memset calls). */
        for (int32_t k = 0; k < TG_CONV_BLOCK; ++k) {
            bias_block[k] = bias && k < nb ? bias[k] : 0;
            base[k] = 0;
        }
        sum_block(w, filter_size, filter_size, nb, base);
        for (int32_t k = 0; k < TG_CONV_BLOCK; ++k) {
            base[k] = bias_block[k] + in_off * base[k];
        }
        for (int32_t p = 0; p < pixels; ++p) {
            for (int32_t k = 0; k < TG_CONV_BLOCK; ++k) {
                acc[k] = base[k];
            }
            dot_block(input_data + p * in_c, w, filter_size, in_c, nb, acc);
            store_out(output_data, p * out_c + oc, epilogue, acc, mult, shift, nb, out_off, lo, hi);
        }
        for (int32_t b = 0; b < (pointwise ? 0 : batches); ++b) { /* the pointwise case is done above */
            const int8_t *in_g = input_data + b * in_h * in_row + group * f_c;
            const int32_t out_b = b * out_h * out_w * out_c + oc;
            for (int32_t oy = 0; oy < out_h; ++oy) {
                const int32_t iy0 = oy * stride_h - pad_h;
                int32_t ky_lo, ky_hi;
                tg_window_taps(iy0, k_h, dil_h, in_h, &ky_lo, &ky_hi);
                for (int32_t ox = 0; ox < out_w; ++ox) {
                    const int32_t ix0 = ox * stride_w - pad_w;
                    int32_t kx_lo, kx_hi;
                    tg_window_taps(ix0, k_w, dil_w, in_w, &kx_lo, &kx_hi);
                    /* Only the taps inside the input count; a clipped window's offset term needs its own
                     * filter sum (wpart) over just those taps. */
                    const int full = ky_lo == 0 && ky_hi == k_h && kx_lo == 0 && kx_hi == k_w;
                    const int32_t taps = kx_hi - kx_lo;
                    const int32_t len = contiguous_rows ? taps * f_c : f_c;
                    const int32_t runs = contiguous_rows ? 1 : taps;
                    int32_t wpart[TG_CONV_BLOCK];
                    for (int32_t k = 0; k < TG_CONV_BLOCK; ++k) {
                        acc[k] = full ? base[k] : bias_block[k];
                        wpart[k] = 0;
                    }
                    for (int32_t ky = ky_lo; ky < (taps > 0 ? ky_hi : ky_lo); ++ky) {
                        const int8_t *x_row = in_g + (iy0 + ky * dil_h) * in_row + (ix0 + kx_lo * dil_w) * in_c;
                        const int8_t *w_row = w + (ky * k_w + kx_lo) * f_c;
                        for (int32_t r = 0; r < runs; ++r) {
                            dot_block(x_row + r * dil_w * in_c, w_row + r * f_c, filter_size, len, nb, acc);
                            if (!full) {
                                sum_block(w_row + r * f_c, filter_size, len, nb, wpart);
                            }
                        }
                    }
                    for (int32_t k = 0; k < TG_CONV_BLOCK; ++k) {
                        acc[k] += in_off * wpart[k];
                    }
                    store_out(output_data, out_b + (oy * out_w + ox) * out_c, epilogue, acc, mult, shift, nb,
                              out_off, lo, hi);
                }
            }
        }
        oc += nb;
    }
}

void tg_convolve_s8(const tg_context *ctx, const tg_conv_params *conv_params,
                    const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                    const int8_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                    const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                    int8_t *output_data)
{
    (void)ctx;
    (void)bias_dims;
    const tg_conv_epilogue plain = { NULL, NULL };
    convolve(conv_params, quant_params, input_dims, input_data, filter_dims, filter_data, bias_data,
             output_dims, output_data, &plain, NULL);
}

void tg_convolve_s4(const tg_context *ctx, const tg_conv_params *conv_params,
                    const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                    const int8_t *input_data, const tg_dims *filter_dims, const int8_t *packed_filter_data,
                    const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                    int8_t *output_data)
{
    (void)bias_dims;
    const tg_conv_epilogue plain = { NULL, NULL };
    convolve(conv_params, quant_params, input_dims, input_data, filter_dims, packed_filter_data, bias_data,
             output_dims, output_data, &plain, (int8_t *)ctx->buf);
}

void tg_convolve_add_s8(const tg_context *ctx, const tg_conv_params *conv_params,
                        const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                        const int8_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                        const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                        const tg_add_params *add_params, const int8_t *residual, int8_t *output_data)
{
    (void)ctx;
    (void)bias_dims;
    const tg_conv_epilogue epilogue = { add_params, residual };
    convolve(conv_params, quant_params, input_dims, input_data, filter_dims, filter_data, bias_data,
             output_dims, output_data, &epilogue, NULL);
}

void tg_convolve_1x1_inplace_s8(const tg_context *ctx, const tg_conv_params *conv_params,
                                const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                                const int8_t *input_data, const tg_dims *filter_dims,
                                const int8_t *filter_data, const tg_dims *bias_dims,
                                const int32_t *kernel_sums, const tg_dims *output_dims, int8_t *output_data)
{
    (void)bias_dims;
    (void)output_dims; /* the input's pixels, out_c channels each */
    const int32_t pixels = input_dims->n * input_dims->h * input_dims->w, in_c = input_dims->c;
    const int32_t out_c = filter_dims->n;
    const int32_t out_off = conv_params->output_offset;
    const int32_t lo = conv_params->activation.min, hi = conv_params->activation.max;
    int8_t *pixel = (int8_t *)ctx->buf;
    /* Output pixel p is computed into `pixel` from input pixel p, then copied to bytes [p*out_c, (p+1)*out_c).
     * In place, that range must hold no input pixel still unread:
     * - out_c <= in_c, pixels in increasing order: (p+1)*out_c <= (p+1)*in_c, so the range lies within input
     *   pixels 0..p, all read (pixel p just now);
     * - out_c > in_c, pixels in decreasing order: p*out_c >= p*in_c, so the range lies within input pixels
     *   p.., all read (those after p first).
     * The output then occupies max(in, out) bytes, the scratch one output pixel. */
    const int backward = out_c > in_c;
    int32_t acc[TG_CONV_BLOCK];
    for (int32_t i = 0; i < pixels; ++i) {
        const int32_t p = backward ? pixels - 1 - i : i;
        const int8_t *x = input_data + p * in_c;
        for (int32_t oc = 0; oc < out_c;) {
            const int32_t nb = oc + TG_CONV_BLOCK <= out_c ? TG_CONV_BLOCK : 1;
            /* kernel_sums[oc] = bias + input_offset * (sum of filter row oc): sum(w * (x + off)) + bias. */
            for (int32_t k = 0; k < TG_CONV_BLOCK; ++k) {
                acc[k] = k < nb ? kernel_sums[oc + k] : 0;
            }
            dot_block(x, filter_data + oc * in_c, in_c, in_c, nb, acc);
            store_block(pixel + oc, acc, quant_params->multiplier + oc, quant_params->shift + oc, nb, out_off, lo,
                        hi);
            oc += nb;
        }
        int8_t *y = output_data + p * out_c;
        for (int32_t k = 0; k < out_c; ++k) {
            y[k] = pixel[k];
        }
    }
}

/* 16x8 (int16 activations, int8 weights): TFLite reference integer_ops::ConvPerChannel for int16, which takes no
 * zero points (the lowering requires them to be 0). Summed in int64: with an int32 bias TFLM accumulates in
 * int32, which the verifier proved cannot overflow, so the sums agree; the bias type picks the rescale (the
 * int64 or the int32 form of MultiplyByQuantizedMultiplier), as in TFLM. */
static void convolve_s16(const tg_conv_params *conv_params, const tg_per_channel_quant_params *quant_params,
                         const tg_dims *input_dims, const int16_t *input_data, const tg_dims *filter_dims,
                         const int8_t *filter_data, const int64_t *bias64, const int32_t *bias32,
                         const tg_dims *output_dims, int16_t *output_data)
{
    const int32_t batches = input_dims->n, in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t out_c = filter_dims->n, k_h = filter_dims->h, k_w = filter_dims->w, f_c = filter_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w;
    const int32_t dil_h = conv_params->dilation.h, dil_w = conv_params->dilation.w;
    const int32_t lo = conv_params->activation.min, hi = conv_params->activation.max;
    const int32_t per_group = out_c / (in_c / f_c);

    for (int32_t b = 0; b < batches; ++b) {
        for (int32_t oy = 0; oy < out_h; ++oy) {
            const int32_t iy0 = oy * conv_params->stride.h - conv_params->padding.h;
            int32_t ky_lo, ky_hi;
            tg_window_taps(iy0, k_h, dil_h, in_h, &ky_lo, &ky_hi);
            for (int32_t ox = 0; ox < out_w; ++ox) {
                const int32_t ix0 = ox * conv_params->stride.w - conv_params->padding.w;
                int32_t kx_lo, kx_hi;
                tg_window_taps(ix0, k_w, dil_w, in_w, &kx_lo, &kx_hi);
                int16_t *out = output_data + ((b * out_h + oy) * out_w + ox) * out_c;
                for (int32_t oc = 0; oc < out_c; ++oc) {
                    const int16_t *in_g = input_data + b * in_h * in_w * in_c + oc / per_group * f_c;
                    int64_t acc = 0;
                    for (int32_t ky = ky_lo; ky < ky_hi; ++ky) {
                        for (int32_t kx = kx_lo; kx < kx_hi; ++kx) {
                            const int16_t *x = in_g + ((iy0 + ky * dil_h) * in_w + ix0 + kx * dil_w) * in_c;
                            const int8_t *w = filter_data + ((oc * k_h + ky) * k_w + kx) * f_c;
                            for (int32_t ic = 0; ic < f_c; ++ic) {
                                acc += (int32_t)w[ic] * (int32_t)x[ic];
                            }
                        }
                    }
                    const int32_t scaled =
                        bias64 ? tg_requantize_s64(acc + bias64[oc], quant_params->multiplier[oc],
                                                   quant_params->shift[oc])
                               : tg_requantize((int32_t)acc + bias32[oc], quant_params->multiplier[oc],
                                               quant_params->shift[oc]);
                    out[oc] = (int16_t)TG_CLAMP(scaled, lo, hi);
                }
            }
        }
    }
}

void tg_convolve_s16(const tg_context *ctx, const tg_conv_params *conv_params,
                     const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                     const int16_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                     const tg_dims *bias_dims, const int64_t *bias_data, const tg_dims *output_dims,
                     int16_t *output_data)
{
    (void)ctx;
    (void)bias_dims;
    convolve_s16(conv_params, quant_params, input_dims, input_data, filter_dims, filter_data, bias_data, NULL,
                 output_dims, output_data);
}

void tg_convolve_s16_acc32(const tg_context *ctx, const tg_conv_params *conv_params,
                           const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                           const int16_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                           const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                           int16_t *output_data)
{
    (void)ctx;
    (void)bias_dims;
    convolve_s16(conv_params, quant_params, input_dims, input_data, filter_dims, filter_data, NULL, bias_data,
                 output_dims, output_data);
}

void tg_convolve_f32(const tg_conv_f32_params *p, const float *input, const float *filter, const float *bias,
                     float *output)
{
    const tg_dims in = p->input, f = p->filter, out = p->output;
    const int32_t filters_per_group = out.c / (in.c / f.c);
    for (int32_t b = 0; b < out.n; b++) {
        for (int32_t oy = 0; oy < out.h; oy++) {
            const int32_t in_y0 = oy * p->stride.h - p->padding.h;
            for (int32_t ox = 0; ox < out.w; ox++) {
                const int32_t in_x0 = ox * p->stride.w - p->padding.w;
                for (int32_t oc = 0; oc < out.c; oc++) {
                    const int32_t channel0 = oc / filters_per_group * f.c;
                    /* The reference's order: filter rows, columns, then input channels; taps in the padding are
                     * skipped rather than added as zeros, which would turn a -0.0f sum into +0.0f. */
                    float total = 0.0f;
                    for (int32_t ky = 0; ky < f.h; ky++) {
                        const int32_t iy = in_y0 + ky * p->dilation.h;
                        if (iy < 0 || iy >= in.h) {
                            continue;
                        }
                        for (int32_t kx = 0; kx < f.w; kx++) {
                            const int32_t ix = in_x0 + kx * p->dilation.w;
                            if (ix < 0 || ix >= in.w) {
                                continue;
                            }
                            const float *x = input + ((b * in.h + iy) * in.w + ix) * in.c + channel0;
                            const float *w = filter + ((oc * f.h + ky) * f.w + kx) * f.c;
                            for (int32_t ic = 0; ic < f.c; ic++) {
                                total += x[ic] * w[ic];
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
