/* The specialized backend's depthwise convolution on cores without SIMD multiply-accumulates:
 * tg_depthwise_bytes_s8, the arithmetic of tg_depthwise_s8 (tg_depthwise.h) over weights laid out offline
 * channel by channel (w[c * taps + t], ops/depthwise_conv2d/specialized.py).
 *
 * Interior pixels go TG_DEPTHWISE_C_PIXELS along a row, one channel at a time: the channel's taps are loaded once
 * and stay in registers for all of them, and neighbouring pixels share input loads (at stride 1 a 3x3 window
 * over 4 pixels reads 18 inputs for 36 MACs). Border pixels go one at a time, each tap checked.
 */
#ifndef TG_DEPTHWISE_C_H
#define TG_DEPTHWISE_C_H

#include "tg_depthwise.h"

#define TG_DEPTHWISE_C_PIXELS 4

/* Output pixels (b, oy, ox + q) for q < nx, every channel; with `border`, taps outside the input read the pad
 * value. */
TG_GEMM_INLINE void tg_depthwise_c_pixels(const int8_t *x, const tg_gemm_window *g, const int8_t *w,
                                          const int32_t *bias, const tg_gemm_output *out, int8_t *y, int32_t b,
                                          int32_t oy, int32_t ox, int32_t nx, int32_t border)
{
    const int32_t taps = g->k_h * g->k_w, iy0 = oy * g->stride_h - g->pad_h, ix0 = ox * g->stride_w - g->pad_w;
    const int8_t *x_px = x + ((b * g->in_h + iy0) * g->in_w + ix0) * g->in_c;
    int8_t *y_px = y + ((b * g->out_h + oy) * g->out_w + ox) * g->in_c;
    for (int32_t c = 0; c < g->in_c; ++c) {
        int32_t acc[TG_DEPTHWISE_C_PIXELS];
#pragma GCC unroll 4
        for (int32_t q = 0; q < nx; ++q) {
            acc[q] = bias[c];
        }
#pragma GCC unroll 16
        for (int32_t ky = 0; ky < g->k_h; ++ky) {
#pragma GCC unroll 16
            for (int32_t kx = 0; kx < g->k_w; ++kx) {
                const int32_t wv = w[ky * g->k_w + kx];
                const int32_t dy = ky * g->dil_h, dx = kx * g->dil_w;
#pragma GCC unroll 4
                for (int32_t q = 0; q < nx; ++q) {
                    const int32_t iy = iy0 + dy, ix = ix0 + q * g->stride_w + dx;
                    const int32_t inside = !border || (iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w);
                    const int32_t xv = inside ? x_px[(dy * g->in_w + q * g->stride_w + dx) * g->in_c] : g->pad_value;
                    acc[q] += xv * wv;
                }
            }
        }
#pragma GCC unroll 4
        for (int32_t q = 0; q < nx; ++q) {
            tg_gemm_store(y_px + q * g->in_c, acc[q], out, c);
        }
        ++x_px;
        ++y_px;
        w += taps;
    }
}

/* Output row (b, oy): its interior columns [x0, x1) in blocks, when the row is inside, the others one by one. */
TG_GEMM_INLINE void tg_depthwise_c_row(const tg_depthwise_window *d, const int8_t *x, const int8_t *w,
                                       const int32_t *bias, const tg_gemm_output *out, int8_t *y, int32_t b, int32_t oy)
{
    const tg_gemm_window *g = &d->win;
    const int32_t inside = oy >= d->y0 && oy < d->y1;
    const int32_t x0 = inside ? d->x0 : g->out_w, x1 = inside ? d->x1 : g->out_w;
    const int32_t last = (d->x1 - d->x0) % TG_DEPTHWISE_C_PIXELS; /* a constant, as the block's size */
    for (int32_t ox = 0; ox < x0; ++ox) {
        tg_depthwise_c_pixels(x, g, w, bias, out, y, b, oy, ox, 1, 1);
    }
    if (inside) {
        int32_t ox = x0;
        for (; ox + TG_DEPTHWISE_C_PIXELS <= x1; ox += TG_DEPTHWISE_C_PIXELS) {
            tg_depthwise_c_pixels(x, g, w, bias, out, y, b, oy, ox, TG_DEPTHWISE_C_PIXELS, 0);
        }
        if (last != 0) {
            tg_depthwise_c_pixels(x, g, w, bias, out, y, b, oy, x1 - last, last, 0);
        }
    }
    for (int32_t ox = x1; ox < g->out_w; ++ox) {
        tg_depthwise_c_pixels(x, g, w, bias, out, y, b, oy, ox, 1, 1);
    }
}

TG_GEMM_INLINE void tg_depthwise_bytes_s8(const tg_depthwise_window *d, const int8_t *x, const int8_t *weights,
                                          const int32_t *bias, const tg_gemm_output *out, int8_t *y)
{
    for (int32_t b = 0; b < d->win.batches; ++b) {
        for (int32_t oy = 0; oy < d->win.out_h; ++oy) {
            tg_depthwise_c_row(d, x, weights, bias, out, y, b, oy);
        }
    }
}

#endif
