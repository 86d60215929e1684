/* The specialized backend's matrix products on cores without SIMD multiply-accumulates (RISC-V, Xtensa,
 * Cortex-M0+, the host): tg_gemm_bytes_s8 and tg_conv_gemm_bytes_s8, the same arithmetic as tg_gemm_s8 and
 * tg_conv_gemm_s8 (tg_gemm.h) over weights in a byte layout made for scalar loads.
 *
 * Such a core spends at least a multiply and an add per MAC; what is left to save is the loads. A block of
 * 4 pixels x 4 channels keeps 16 accumulators, 4 weights and an input in registers (RISC-V has 31): per depth
 * step 8 byte loads (sign-extending on RISC-V) feed 16 MACs. A single pixel (FULLY_CONNECTED) takes blocks of
 * 8 channels instead. On the host, blocks of 32 channels: a block's loops are unrolled whole, so its compiler keeps
 * the 4 x 32 accumulators in vector registers (one multiply per 8 lanes with AVX2). The weights were laid out
 * offline (ops/fully_connected/specialized.py) in blocks of
 * `block` channels (the last one narrower), each block k-major: w[k * nc + j] is channel j's weight k, so the
 * inner loop reads one sequential stream.
 */
#ifndef TG_GEMM_C_H
#define TG_GEMM_C_H

#include "tg_gemm.h"

#if defined(__GNUC__) && !defined(__clang__)
/* For a layer's function: GCC's scheduling before register allocation hoists a block's 8 loads ahead of their
 * multiplies and spills an accumulator to the stack (RISC-V); without it the block fits the registers. */
#define TG_GEMM_C_FUNCTION __attribute__((optimize("no-schedule-insns")))
#else
#define TG_GEMM_C_FUNCTION
#endif

#define TG_GEMM_C_PIXELS 4   /* pixels per block */
#define TG_GEMM_C_CHANNELS 32 /* the widest channel block (the host's) */

/* acc[q][j] += pixel q . channel j for nx pixels `pixel_step` apart in x and nc channels of a k-major block. */
TG_GEMM_INLINE void tg_gemm_c_block(const int8_t *x, int32_t pixel_step, const int8_t *w, int32_t depth, int32_t nx,
                                    int32_t nc, int32_t acc[TG_GEMM_C_PIXELS][TG_GEMM_C_CHANNELS])
{
#pragma GCC unroll 2
    for (int32_t k = 0; k < depth; ++k) {
        int32_t wk[TG_GEMM_C_CHANNELS];
#pragma GCC unroll 32
        for (int32_t j = 0; j < nc; ++j) {
            wk[j] = w[j];
        }
#pragma GCC unroll 4
        for (int32_t q = 0; q < nx; ++q) {
            const int32_t xv = x[q * pixel_step];
#pragma GCC unroll 32
            for (int32_t j = 0; j < nc; ++j) {
                acc[q][j] += xv * wk[j];
            }
        }
        ++x;
        w += nc;
    }
}

/* y[q][c..c+nc) for nx pixel rows of x (`depth` apart; outputs `channels` apart) and the block of channels c;
 * with a fused ADD, of r[q][c..c+nc) too (r shaped as y; each element read just before y's is written, so y may
 * be r). */
TG_GEMM_INLINE void tg_gemm_c_channels(const int8_t *x, const int8_t *weights, const int32_t *bias,
                                       const tg_gemm_output *out, const int8_t *r, int8_t *y, int32_t nx,
                                       int32_t depth, int32_t channels, int32_t c, int32_t nc)
{
    int32_t acc[TG_GEMM_C_PIXELS][TG_GEMM_C_CHANNELS];
#pragma GCC unroll 4
    for (int32_t q = 0; q < nx; ++q) {
#pragma GCC unroll 32
        for (int32_t j = 0; j < nc; ++j) {
            acc[q][j] = bias[c + j];
        }
    }
    tg_gemm_c_block(x, depth, weights + c * depth, depth, nx, nc, acc);
    /* The stores loop over the pixels of a copy: a block's channels' requantizations inlined once, not once per
     * pixel (a quarter of the code; the copy costs 2 instructions per output). */
    int32_t sums[TG_GEMM_C_PIXELS * TG_GEMM_C_CHANNELS];
#pragma GCC unroll 4
    for (int32_t q = 0; q < nx; ++q) {
#pragma GCC unroll 32
        for (int32_t j = 0; j < nc; ++j) {
            sums[q * nc + j] = acc[q][j];
        }
    }
#pragma GCC unroll 1
    for (int32_t q = 0; q < nx; ++q) {
#pragma GCC unroll 8
        for (int32_t j = 0; j < nc; ++j) {
            tg_gemm_store_residual_of(y + q * channels + c + j, r + q * channels + c + j, sums[q * nc + j], out,
                                      c + j);
        }
    }
}

/* nx pixel rows against every channel, `block` channels at a time. */
TG_GEMM_INLINE void tg_gemm_c_pixels(const int8_t *x, const int8_t *weights, const int32_t *bias,
                                     const tg_gemm_output *out, const int8_t *r, int8_t *y, int32_t nx, int32_t depth,
                                     int32_t channels, int32_t block)
{
    const int32_t last = channels % block; /* a constant: the narrower last block is its own instance */
    for (int32_t c = 0; c + block <= channels; c += block) {
        tg_gemm_c_channels(x, weights, bias, out, r, y, nx, depth, channels, c, block);
    }
    if (last != 0) {
        tg_gemm_c_channels(x, weights, bias, out, r, y, nx, depth, channels, channels - last, last);
    }
}

/* y[p][c] for `pixels` rows of `depth` inputs and `channels` outputs, TG_GEMM_C_PIXELS pixels at a time.
 * `residual`: the fused ADD's other operand, shaped as y (y may be it), when out->add is set; else y. */
TG_GEMM_INLINE void tg_gemm_bytes_s8(const int8_t *x, const int8_t *weights, const int32_t *bias,
                                     const tg_gemm_output *out, const int8_t *residual, int8_t *y, int32_t pixels,
                                     int32_t depth, int32_t channels, int32_t block)
{
    const int32_t last = pixels % TG_GEMM_C_PIXELS;
    for (int32_t p = 0; p + TG_GEMM_C_PIXELS <= pixels; p += TG_GEMM_C_PIXELS) {
        tg_gemm_c_pixels(x + p * depth, weights, bias, out, residual + p * channels, y + p * channels,
                         TG_GEMM_C_PIXELS, depth, channels, block);
    }
    if (last != 0) {
        const int32_t p = pixels - last;
        tg_gemm_c_pixels(x + p * depth, weights, bias, out, residual + p * channels, y + p * channels, last, depth,
                         channels, block);
    }
}

/* A convolution (one group) as the matrix product of its im2col rows, TG_GEMM_C_PIXELS output pixels at a time:
 * `col` holds that many rows of k_h * k_w * in_c bytes. Copying a row costs about its bytes; it feeds
 * `channels` MACs per byte. `residual` as for tg_gemm_bytes_s8. */
TG_GEMM_INLINE void tg_conv_gemm_bytes_s8(const tg_gemm_window *g, const int8_t *x, const int8_t *weights,
                                          const int32_t *bias, const tg_gemm_output *out, int8_t *col,
                                          const int8_t *residual, int8_t *y, int32_t channels, int32_t block)
{
    const int32_t depth = g->k_h * g->k_w * g->in_c, pixels = g->batches * g->out_h * g->out_w;
    const int32_t last = pixels % TG_GEMM_C_PIXELS;
    for (int32_t p = 0; p + TG_GEMM_C_PIXELS <= pixels; p += TG_GEMM_C_PIXELS) {
        for (int32_t q = 0; q < TG_GEMM_C_PIXELS; ++q) {
            tg_gemm_im2col(x, g, p + q, col + q * depth);
        }
        tg_gemm_c_pixels(col, weights, bias, out, residual + p * channels, y + p * channels, TG_GEMM_C_PIXELS, depth,
                         channels, block);
    }
    if (last != 0) {
        const int32_t p = pixels - last;
        for (int32_t q = 0; q < last; ++q) {
            tg_gemm_im2col(x, g, p + q, col + q * depth);
        }
        tg_gemm_c_pixels(col, weights, bias, out, residual + p * channels, y + p * channels, last, depth, channels,
                         block);
    }
}

#endif
