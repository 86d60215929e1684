/* The specialized backend's depthwise convolution (multiplier 1), bit-exact with TFLM's reference
 * DepthwiseConvPerChannel, inlined with the layer's window as constants (see tg_gemm.h for the shared parts).
 *
 * Offline (ops/depthwise_conv2d/specialized.py): the input offset is folded into the bias over all taps, so a tap
 * outside the input reads the input zero point (it then adds nothing, as TFLM skips it); the weights are packed
 * into int32 words per tap, channels c..c+3 in one word, each tap's row zero-padded to whole words.
 *
 * Channels go four at a time: one input word and one weight word per tap, sign-extended into 16-bit pairs with
 * SXTB16 and multiplied half by half (SMLABB/SMLATT) with the DSP extension, byte by byte elsewhere. Output
 * pixels whose window lies inside the input (the interior, bounds computed offline) read their taps without
 * checks; only border pixels test each tap. Channels beyond a multiple of four go one at a time.
 */
#ifndef TG_DEPTHWISE_H
#define TG_DEPTHWISE_H

#include "tg_gemm.h"

/* The window and its interior: output rows [y0, y1) and columns [x0, x1) read no padding. */
typedef struct {
    tg_gemm_window win;
    int32_t y0, y1, x0, x1;
} tg_depthwise_window;

/* a[k] += the window's taps of channel c + k (k < 4) for output pixel (oy, ox) of a batch whose input rows from
 * row `first` on start at x; with `border`, taps outside the input read the pad value. */
TG_GEMM_INLINE void tg_depthwise_taps4(const int8_t *x, const tg_gemm_window *g, const int32_t *w, int32_t first,
                                       int32_t oy, int32_t ox, int32_t c, int32_t border, int32_t a[4])
{
    const int32_t row_words = (g->in_c + 3) / 4;
    const uint32_t pad_word = 0x01010101u * (uint8_t)g->pad_value;
    int32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    /* A filter row's taps unrolled: their offsets become constants of the loads (unrolling every row too
     * makes GCC hoist all loads and spill). */
    for (int32_t ky = 0; ky < g->k_h; ++ky) {
        const int32_t iy = oy * g->stride_h - g->pad_h + ky * g->dil_h;
#pragma GCC unroll 16
        for (int32_t kx = 0; kx < g->k_w; ++kx) {
            const int32_t ix = ox * g->stride_w - g->pad_w + kx * g->dil_w;
            uint32_t xw = pad_word;
            if (!border || (iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w)) {
                memcpy(&xw, x + ((iy - first) * g->in_w + ix) * g->in_c + c, 4);
            }
            const uint32_t ww = (uint32_t)w[(ky * g->k_w + kx) * row_words + c / 4];
#if TG_GEMM_DSP
            const int32_t xe = __sxtb16((int32_t)xw), xo = tg_gemm_sxtb16_ror8(xw);
            const int32_t we = __sxtb16((int32_t)ww), wo = tg_gemm_sxtb16_ror8(ww);
            a0 = __smlabb(xe, we, a0);
            a2 = __smlatt(xe, we, a2);
            a1 = __smlabb(xo, wo, a1);
            a3 = __smlatt(xo, wo, a3);
#else
            a0 += tg_gemm_byte(xw, 0) * tg_gemm_byte(ww, 0);
            a1 += tg_gemm_byte(xw, 1) * tg_gemm_byte(ww, 1);
            a2 += tg_gemm_byte(xw, 2) * tg_gemm_byte(ww, 2);
            a3 += tg_gemm_byte(xw, 3) * tg_gemm_byte(ww, 3);
#endif
        }
    }
    a[0] = a0;
    a[1] = a1;
    a[2] = a2;
    a[3] = a3;
}

/* Channel c alone (the channels past the last whole word): its taps, byte by byte. */
TG_GEMM_INLINE int32_t tg_depthwise_taps1(const int8_t *x, const tg_gemm_window *g, const int32_t *w, int32_t first,
                                          int32_t oy, int32_t ox, int32_t c, int32_t acc)
{
    const int32_t row_words = (g->in_c + 3) / 4;
    for (int32_t ky = 0; ky < g->k_h; ++ky) {
        const int32_t iy = oy * g->stride_h - g->pad_h + ky * g->dil_h;
        for (int32_t kx = 0; kx < g->k_w; ++kx) {
            const int32_t ix = ox * g->stride_w - g->pad_w + kx * g->dil_w;
            const int32_t inside = iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w;
            const int32_t xv = inside ? x[((iy - first) * g->in_w + ix) * g->in_c + c] : g->pad_value;
            acc += xv * tg_gemm_byte((uint32_t)w[(ky * g->k_w + kx) * row_words + c / 4], c % 4);
        }
    }
    return acc;
}

/* Every channel of output pixel (b, oy, ox); x, first: the batch's input rows as for tg_depthwise_taps4. */
TG_GEMM_INLINE void tg_depthwise_pixel(const int8_t *x, int32_t first, const tg_gemm_window *g, const int32_t *w,
                                       const int32_t *bias, const tg_gemm_output *out, int8_t *y, int32_t b,
                                       int32_t oy, int32_t ox, int32_t border)
{
    int8_t *y_px = y + ((b * g->out_h + oy) * g->out_w + ox) * g->in_c;
    const int32_t whole = g->in_c / 4 * 4; /* channels in whole words (a constant: the tail loop may vanish) */
    for (int32_t c = 0; c < whole; c += 4) {
        int32_t a[4] = {bias[c], bias[c + 1], bias[c + 2], bias[c + 3]};
        tg_depthwise_taps4(x, g, w, first, oy, ox, c, border, a);
        tg_gemm_store(y_px + c, a[0], out, c);
        tg_gemm_store(y_px + c + 1, a[1], out, c + 1);
        tg_gemm_store(y_px + c + 2, a[2], out, c + 2);
        tg_gemm_store(y_px + c + 3, a[3], out, c + 3);
    }
    for (int32_t c = whole; c < g->in_c; ++c) {
        tg_gemm_store(y_px + c, tg_depthwise_taps1(x, g, w, first, oy, ox, c, bias[c]), out, c);
    }
}

/* Output row oy of batch b, its input rows from row `first` on at x. */
TG_GEMM_INLINE void tg_depthwise_row(const tg_depthwise_window *d, const int8_t *x, int32_t first,
                                     const int32_t *weights, const int32_t *bias, const tg_gemm_output *out,
                                     int8_t *y, int32_t b, int32_t oy)
{
    const tg_gemm_window *g = &d->win;
    const int32_t row_inside = oy >= d->y0 && oy < d->y1;
    for (int32_t ox = 0; ox < g->out_w; ++ox) {
        if (row_inside && ox >= d->x0 && ox < d->x1) {
            tg_depthwise_pixel(x, first, g, weights, bias, out, y, b, oy, ox, 0);
        } else {
            tg_depthwise_pixel(x, first, g, weights, bias, out, y, b, oy, ox, 1);
        }
    }
}

TG_GEMM_INLINE void tg_depthwise_s8(const tg_depthwise_window *d, const int8_t *x, const int32_t *weights,
                                    const int32_t *bias, const tg_gemm_output *out, int8_t *y)
{
    const tg_gemm_window *g = &d->win;
    for (int32_t b = 0; b < g->batches; ++b) {
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            tg_depthwise_row(d, x + b * g->in_h * g->in_w * g->in_c, 0, weights, bias, out, y, b, oy);
        }
    }
}

/* The same over its own input (xy), for stride 1 and output rows the size of input rows (checked offline):
 * output row oy overwrites input row oy, which later rows' windows still read, so the window's rows are read
 * from `ring`, a copy of the span (k_h - 1) * dil_h + 1 rows it covers, moved up a row and refilled from rows
 * not yet overwritten before each output row. */
TG_GEMM_INLINE void tg_depthwise_inplace_s8(const tg_depthwise_window *d, int8_t *xy, const int32_t *weights,
                                            const int32_t *bias, const tg_gemm_output *out, int8_t *ring)
{
    const tg_gemm_window *g = &d->win;
    const int32_t row_bytes = g->in_w * g->in_c, span = (g->k_h - 1) * g->dil_h + 1;
    for (int32_t b = 0; b < g->batches; ++b) {
        const int8_t *x = xy + b * g->in_h * row_bytes;
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            const int32_t first = oy - g->pad_h;
            int32_t fresh = 0; /* the first slot to fill from x */
            if (oy > 0) {
                memmove(ring, ring + row_bytes, (size_t)((span - 1) * row_bytes));
                fresh = span - 1;
            }
            for (int32_t k = fresh; k < span; ++k) {
                const int32_t iy = first + k;
                if (iy >= 0 && iy < g->in_h) {
                    memcpy(ring + k * row_bytes, x + iy * row_bytes, (size_t)row_bytes);
                }
            }
            tg_depthwise_row(d, ring, first, weights, bias, out, xy, b, oy);
        }
    }
}

/* The byte-layout form for cores without SIMD multiply-accumulates. */
#include "tg_depthwise_c.h"

#endif
