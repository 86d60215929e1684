/* The specialized backend's depthwise convolution on cores without SIMD multiply-accumulates:
 * tg_depthwise_bytes_s8, the arithmetic of tg_depthwise_s8 (tg_depthwise.h) over weights laid out offline in
 * blocks of `block` channels (the last one narrower), each tap-major: w[t * nc + j] is channel j's tap t
 * (ops/depthwise_conv2d/specialized.py).
 *
 * Interior pixels go TG_DEPTHWISE_C_PIXELS along a row, one block of channels at a time: the block's taps are
 * loaded once and stay in registers for all of them, and neighbouring pixels share input loads (at stride 1 a
 * 3x3 window over 4 pixels reads 18 inputs for 36 MACs). Border pixels go one at a time, each tap checked. A
 * scalar core takes blocks of one channel (its registers hold 4 accumulators and the taps); the host blocks of
 * TG_DEPTHWISE_C_CHANNELS, which its compiler turns into vector lanes (NHWC: a block's inputs are adjacent).
 */
#ifndef TG_DEPTHWISE_C_H
#define TG_DEPTHWISE_C_H

#include "tg_depthwise.h"

#define TG_DEPTHWISE_C_PIXELS 4
#define TG_DEPTHWISE_C_CHANNELS 16 /* the widest channel block (the host's) */

/* Output pixels q < nx along a row, channels [c, c + nc) of a block: x_px and y_px point at the first pixel's
 * channel c (its window's top left tap, its output), w at the block's taps. With `border`, taps outside the
 * input (row iy0 + dy, column ix0 + dx of pixel 0) read the pad value. */
TG_GEMM_INLINE void tg_depthwise_c_block(const int8_t *x_px, const tg_gemm_window *g, const int8_t *w,
                                         const int32_t *bias, const tg_gemm_output *out, int8_t *y_px, int32_t iy0,
                                         int32_t ix0, int32_t nx, int32_t border, int32_t c, int32_t nc)
{
    int32_t acc[TG_DEPTHWISE_C_PIXELS][TG_DEPTHWISE_C_CHANNELS];
#pragma GCC unroll 4
    for (int32_t q = 0; q < nx; ++q) {
#pragma GCC unroll 32
        for (int32_t j = 0; j < nc; ++j) {
            acc[q][j] = bias[c + j];
        }
    }
#pragma GCC unroll 16
    for (int32_t ky = 0; ky < g->k_h; ++ky) {
#pragma GCC unroll 16
        for (int32_t kx = 0; kx < g->k_w; ++kx) {
            const int8_t *wt = w + (ky * g->k_w + kx) * nc;
            const int32_t dy = ky * g->dil_h, dx = kx * g->dil_w;
#pragma GCC unroll 4
            for (int32_t q = 0; q < nx; ++q) {
                const int32_t iy = iy0 + dy, ix = ix0 + q * g->stride_w + dx;
                const int32_t inside = !border || (iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w);
                const int32_t at = (dy * g->in_w + q * g->stride_w + dx) * g->in_c;
#pragma GCC unroll 32
                for (int32_t j = 0; j < nc; ++j) {
                    const int32_t xv = inside ? x_px[at + j] : g->pad_value;
                    acc[q][j] += xv * wt[j];
                }
            }
        }
    }
#pragma GCC unroll 4
    for (int32_t q = 0; q < nx; ++q) {
#pragma GCC unroll 32
        for (int32_t j = 0; j < nc; ++j) {
            tg_gemm_store(y_px + q * g->in_c + j, acc[q][j], out, c + j);
        }
    }
}

/* Output pixels (b, oy, ox + q) for q < nx, every channel, `block` channels at a time (the last block narrower,
 * its own instance). */
TG_GEMM_INLINE void tg_depthwise_c_pixels(const int8_t *x, const tg_gemm_window *g, const int8_t *w,
                                          const int32_t *bias, const tg_gemm_output *out, int8_t *y, int32_t b,
                                          int32_t oy, int32_t ox, int32_t nx, int32_t border, int32_t block)
{
    const int32_t taps = g->k_h * g->k_w, iy0 = oy * g->stride_h - g->pad_h, ix0 = ox * g->stride_w - g->pad_w;
    const int32_t last = g->in_c % block;
    const int8_t *x_px = x + ((b * g->in_h + iy0) * g->in_w + ix0) * g->in_c;
    int8_t *y_px = y + ((b * g->out_h + oy) * g->out_w + ox) * g->in_c;
    int32_t c = 0;
    for (; c + block <= g->in_c; c += block) {
        tg_depthwise_c_block(x_px, g, w, bias, out, y_px, iy0, ix0, nx, border, c, block);
        x_px += block;
        y_px += block;
        w += block * taps;
    }
    if (last != 0) {
        tg_depthwise_c_block(x_px, g, w, bias, out, y_px, iy0, ix0, nx, border, c, last);
    }
}

/* Output row (b, oy): its interior columns [x0, x1) in blocks, when the row is inside, the others one by one. */
TG_GEMM_INLINE void tg_depthwise_c_row(const tg_depthwise_window *d, const int8_t *x, const int8_t *w,
                                       const int32_t *bias, const tg_gemm_output *out, int8_t *y, int32_t b, int32_t oy,
                                       int32_t block)
{
    const tg_gemm_window *g = &d->win;
    const int32_t inside = oy >= d->y0 && oy < d->y1;
    const int32_t x0 = inside ? d->x0 : g->out_w, x1 = inside ? d->x1 : g->out_w;
    const int32_t last = (d->x1 - d->x0) % TG_DEPTHWISE_C_PIXELS; /* a constant, as the block's size */
    for (int32_t ox = 0; ox < x0; ++ox) {
        tg_depthwise_c_pixels(x, g, w, bias, out, y, b, oy, ox, 1, 1, block);
    }
    if (inside) {
        int32_t ox = x0;
        for (; ox + TG_DEPTHWISE_C_PIXELS <= x1; ox += TG_DEPTHWISE_C_PIXELS) {
            tg_depthwise_c_pixels(x, g, w, bias, out, y, b, oy, ox, TG_DEPTHWISE_C_PIXELS, 0, block);
        }
        if (last != 0) {
            tg_depthwise_c_pixels(x, g, w, bias, out, y, b, oy, x1 - last, last, 0, block);
        }
    }
    for (int32_t ox = x1; ox < g->out_w; ++ox) {
        tg_depthwise_c_pixels(x, g, w, bias, out, y, b, oy, ox, 1, 1, block);
    }
}

TG_GEMM_INLINE void tg_depthwise_bytes_s8(const tg_depthwise_window *d, const int8_t *x, const int8_t *weights,
                                          const int32_t *bias, const tg_gemm_output *out, int8_t *y, int32_t block)
{
    for (int32_t b = 0; b < d->win.batches; ++b) {
        for (int32_t oy = 0; oy < d->win.out_h; ++oy) {
            tg_depthwise_c_row(d, x, weights, bias, out, y, b, oy, block);
        }
    }
}

#endif
