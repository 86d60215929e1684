/* The specialized backend's depthwise convolution (multiplier 1) on cores with the DSP extension, bit-exact with
 * TFLM's reference DepthwiseConvPerChannel, inlined with the layer's window as constants (see tg_gemm.h for the
 * shared parts).
 *
 * Offline (ops/depthwise_conv2d/specialized.py): the input offset is folded into the bias over all taps, so a tap
 * outside the input reads the input zero point (it then adds nothing, as TFLM skips it); the weights are widened to
 * the 16-bit pairs SXTB16 makes of an input word: per tap and group of four channels c..c+3 two words, (w[c],
 * w[c+2]) and (w[c+1], w[c+3]), the last group zero-padded.
 *
 * Output pixels go two along a row, four channels at a time: one input word per tap and pixel, sign-extended by
 * SXTB16 and multiplied half by half (SMLABB/SMLATT) with the tap's two weight words, which both pixels share
 * (at stride 1 neighbouring pixels share input words too). A row's filter rows are read through pointers, rows
 * outside the input pointing to a row of pad values (in place: a ring of row copies at constant offsets), so only
 * columns need tests: pixels whose window lies inside the input's columns (bounds computed offline) read their
 * taps without them; the few at the edges run with constant columns, where the tests fold. Requantization is
 * tg_gemm_store's, or where its short rounding holds the shorter tg_depthwise_store over records of per-channel
 * constants.
 */
#ifndef TG_DEPTHWISE_H
#define TG_DEPTHWISE_H

#include "tg_gemm.h"

#if defined(__GNUC__) && !defined(__clang__)
/* For a layer's function: scheduling before register allocation hoists loads and spills accumulators, and store
 * merging packs a pixel's four output bytes into a word with more instructions than four byte stores. */
#define TG_DEPTHWISE_FUNCTION __attribute__((optimize("no-schedule-insns", "no-store-merging")))
#else
#define TG_DEPTHWISE_FUNCTION
#endif

/* Filter rows a window may span (checked offline: taller windows keep the portable kernel). */
#define TG_DEPTHWISE_MAX_ROWS 16

/* The window and its interior: output rows [y0, y1) and columns [x0, x1) read no padding. */
typedef struct {
    tg_gemm_window win;
    int32_t y0, y1, x0, x1;
} tg_depthwise_window;

#if TG_GEMM_DSP
/* floor((c * 2^32 + a * b + 2^31) / 2^32): SMMLAR, c plus the rounded high word of a 32x32 product. */
TG_GEMM_INLINE int32_t tg_depthwise_smmlar(int32_t a, int32_t b, int32_t c)
{
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
    return r;
}

/* v clamped to int8 in one SSAT (GCC's own clamp here branches; arm_acle.h's __ssat trips -Wsign-conversion). */
TG_GEMM_INLINE int32_t tg_depthwise_ssat8(int32_t v)
{
    int32_t r;
    __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(v));
    return r;
}
#endif

/* y = output channel c of an accumulator. With the short rounding (out->right_shifts_only; weights and bias doubled
 * offline: acc2 = 2 acc; e = -shift > 0): tg_gemm_requantize's short rounding
 * (high + 2^(e-1) - (high < 0)) >> e plus the output offset, as (SMMLAR(acc2, mult, rounding) + (acc2 >> 31)) >> e
 * with rounding = 2^(e-1) + offset * 2^e (no overflow: checked offline). acc's sign stands for high's: they differ
 * only where high is 0, and then both give the offset; mult, rounding, e: channel c's. Else acc2 is acc, through
 * tg_gemm_store (the three unread). */
TG_GEMM_INLINE void tg_depthwise_store(int8_t *y, int32_t acc2, const tg_gemm_output *out, int32_t c, int32_t mult,
                                       int32_t rounding, int32_t e)
{
    if (!out->right_shifts_only) {
        tg_gemm_store(y, acc2, out, c);
        return;
    }
#if TG_GEMM_DSP
    const int32_t s8 = tg_depthwise_ssat8((tg_depthwise_smmlar(acc2, mult, rounding) + (acc2 >> 31)) >> e);
#else
    const int64_t high = ((int64_t)acc2 * mult + ((int64_t)1 << 31)) >> 32;
    const int32_t v = (int32_t)((high + rounding + (acc2 >> 31)) >> e);
    const int32_t s8 = TG_CLAMP(v, -128, 127);
#endif
    /* the activation's clamp only where it is narrower than int8 (GCC cannot tell SSAT's range) */
    const int32_t above = out->min > -128 && s8 < out->min ? out->min : s8;
    *y = (int8_t)(out->max < 127 && above > out->max ? out->max : above);
}

/* a[0..3] += the 16-bit pairs of input word xw times the weight pairs (w0, w2) and (w1, w3). */
TG_GEMM_INLINE void tg_depthwise_mac4(uint32_t xw, int32_t w02, int32_t w13, int32_t *a0, int32_t *a1,
                                      int32_t *a2, int32_t *a3)
{
#if TG_GEMM_DSP
    const int32_t xe = __sxtb16((int32_t)xw), xo = tg_gemm_sxtb16_ror8(xw);
    *a0 = __smlabb(xe, w02, *a0);
    *a2 = __smlatt(xe, w02, *a2);
    *a1 = __smlabb(xo, w13, *a1);
    *a3 = __smlatt(xo, w13, *a3);
#else
    *a0 += tg_gemm_byte(xw, 0) * (int16_t)(uint16_t)((uint32_t)w02 & 0xFFFFu);
    *a1 += tg_gemm_byte(xw, 1) * (int16_t)(uint16_t)((uint32_t)w13 & 0xFFFFu);
    *a2 += tg_gemm_byte(xw, 2) * (int16_t)(uint16_t)((uint32_t)w02 >> 16);
    *a3 += tg_gemm_byte(xw, 3) * (int16_t)(uint16_t)((uint32_t)w13 >> 16);
#endif
}

/* Input word of channels c.. (nch of them) at column ix0 + dx (px: column ix0 of the row), or the pad value where
 * check_cols finds the column outside the input (a partial group's other bytes meet zero weights). */
TG_GEMM_INLINE uint32_t tg_depthwise_word(const int8_t *px, const tg_gemm_window *g, int32_t ix0, int32_t dx,
                                          int32_t nch, int32_t check_cols)
{
    uint32_t xw = 0x01010101u * (uint8_t)g->pad_value;
    if (!check_cols || (ix0 + dx >= 0 && ix0 + dx < g->in_w)) {
        memcpy(&xw, px + dx * g->in_c, (size_t)nch);
    }
    return xw;
}

/* *a0[k], *a1[k] += filter row ky's taps (its weights at w_row) of channel c + k (k < nch <= 4) for output pixels
 * ox and ox + 1 (the latter when nx is 2), whose windows start at columns ix0 and ix0 + stride_w; px: the row at
 * column ix0, so the taps' loads are constant offsets from it. */
TG_GEMM_INLINE void tg_depthwise_taps_row(const int8_t *px, const int32_t *w_row, const tg_gemm_window *g,
                                          int32_t ix0, int32_t nx, int32_t nch, int32_t check_cols,
                                          int32_t *const *a0, int32_t *const *a1)
{
    const int32_t groups = (g->in_c + 3) / 4;
#pragma GCC unroll 16
    for (int32_t kx = 0; kx < g->k_w; ++kx) {
        const int32_t w02 = w_row[2 * groups * kx], w13 = w_row[2 * groups * kx + 1];
        const int32_t dx = kx * g->dil_w;
        tg_depthwise_mac4(tg_depthwise_word(px, g, ix0, dx, nch, check_cols), w02, w13, a0[0], a0[1], a0[2], a0[3]);
        if (nx == 2) {
            tg_depthwise_mac4(tg_depthwise_word(px, g, ix0, dx + g->stride_w, nch, check_cols), w02, w13, a1[0], a1[1],
                              a1[2], a1[3]);
        }
    }
}

/* a[q][k] += the window's taps of channel c + k (k < nch <= 4) for output pixel ox + q (q < nx <= 2) of an output
 * row whose filter row ky starts (at channel c) at rows[ky], or with rows NULL at base + ky * stride. With
 * check_cols, taps left or right of the input read the pad value. */
TG_GEMM_INLINE void tg_depthwise_taps(const int8_t *const *rows, const int8_t *base, int32_t stride,
                                      const tg_gemm_window *g, const int32_t *w, int32_t ox, int32_t nx, int32_t c,
                                      int32_t nch, int32_t check_cols, int32_t a[2][4])
{
    const int32_t w_step = 2 * ((g->in_c + 3) / 4) * g->k_w; /* weight words per filter row */
    const int32_t ix0 = ox * g->stride_w - g->pad_w;
    const int32_t *w_row = w + 2 * (c / 4);
    /* the accumulators as scalar locals (registers throughout: GCC keeps an array's worse), reached by the row's
     * taps through pointers that inlining folds */
    int32_t a00 = a[0][0], a01 = a[0][1], a02 = a[0][2], a03 = a[0][3];
    int32_t a10 = a[1][0], a11 = a[1][1], a12 = a[1][2], a13 = a[1][3];
    int32_t *a0[4] = {&a00, &a01, &a02, &a03}, *a1[4] = {&a10, &a11, &a12, &a13};
    /* A filter row's taps unrolled, their offsets constants of the loads. Rows read through pointers inside the
     * columns' interior are unrolled too where rows have room for several inner pairs (their pointers' loads then
     * leave the loop; measured on vww: 12 columns and more); elsewhere that makes GCC hoist the loads and spill, or
     * costs more code than it saves. */
    if (check_cols || rows == NULL || g->out_w < 12) {
        for (int32_t ky = 0; ky < g->k_h; ++ky) {
            const int8_t *px = (rows != NULL ? rows[ky] : base + ky * stride) + ix0 * g->in_c;
            tg_depthwise_taps_row(px, w_row, g, ix0, nx, nch, check_cols, a0, a1);
            w_row += w_step;
        }
    } else {
#pragma GCC unroll 4
        for (int32_t ky = 0; ky < g->k_h; ++ky) {
            tg_depthwise_taps_row(rows[ky] + ix0 * g->in_c, w_row, g, ix0, nx, nch, 0, a0, a1);
            w_row += w_step;
        }
    }
    a[0][0] = a00, a[0][1] = a01, a[0][2] = a02, a[0][3] = a03;
    a[1][0] = a10, a[1][1] = a11, a[1][2] = a12, a[1][3] = a13;
}

/* Channels c .. c + nch - 1 of output pixels ox .. ox + nx - 1 (nx <= 2) of the row at y_row (its filter rows as
 * for tg_depthwise_taps); bias as for tg_depthwise_s8. */
TG_GEMM_INLINE void tg_depthwise_block(const int8_t *const *rows, const int8_t *base, int32_t stride,
                                       const tg_gemm_window *g, const int32_t *w, const int32_t *bias,
                                       const tg_gemm_output *out, int8_t *y_row, int32_t ox, int32_t nx,
                                       int32_t check_cols, int32_t c, int32_t nch)
{
    int8_t *y_px = y_row + ox * g->in_c + c;
    const int32_t per_channel = out->right_shifts_only ? 4 : 1; /* words of bias per channel */
    int32_t a[2][4];
#pragma GCC unroll 4
    for (int32_t k = 0; k < 4; ++k) {
        a[0][k] = a[1][k] = k < nch ? bias[(c + k) * per_channel] : 0;
    }
    tg_depthwise_taps(rows, base, stride, g, w, ox, nx, c, nch, check_cols, a);
    /* channel by channel, its requantization read once for both pixels (a store may alias it for the compiler) */
#pragma GCC unroll 4
    for (int32_t k = 0; k < nch; ++k) {
        const int32_t *q4 = bias + 4 * (c + k);
        const int32_t mult = out->right_shifts_only ? q4[1] : 0;
        const int32_t round = out->right_shifts_only ? q4[2] : 0;
        const int32_t e = out->right_shifts_only ? q4[3] : 0;
#pragma GCC unroll 2
        for (int32_t q = 0; q < nx; ++q) {
            tg_depthwise_store(y_px + q * g->in_c + k, a[q][k], out, c + k, mult, round, e);
        }
    }
}

/* Channels c .. c + nch - 1 of an output row, its filter rows as for tg_depthwise_taps: the pairs of pixels at
 * the edges (constant columns), then the pairs inside the columns' interior in a loop. */
TG_GEMM_INLINE void tg_depthwise_pairs(const tg_depthwise_window *d, const int8_t *const *rows, const int8_t *base,
                                       int32_t stride, const int32_t *w, const int32_t *bias,
                                       const tg_gemm_output *out, int8_t *y_row, int32_t c, int32_t nch)
{
    const tg_gemm_window *g = &d->win;
    const int32_t lead = (d->x0 + 1) / 2; /* pairs with a column left of the interior */
    const int32_t inner_end = d->x1 / 2 < g->out_w / 2 ? d->x1 / 2 : g->out_w / 2;
    const int32_t mid = inner_end > lead ? inner_end : lead; /* pairs [lead, mid) lie inside */
#pragma GCC unroll 4
    for (int32_t p = 0; p < lead; ++p) {
        tg_depthwise_block(rows, base, stride, g, w, bias, out, y_row, 2 * p, 2 * p + 1 < g->out_w ? 2 : 1, 1, c,
                           nch);
    }
    for (int32_t p = lead; p < mid; ++p) {
        tg_depthwise_block(rows, base, stride, g, w, bias, out, y_row, 2 * p, 2, 0, c, nch);
    }
#pragma GCC unroll 4
    for (int32_t ox = 2 * mid; ox < g->out_w; ox += 2) {
        tg_depthwise_block(rows, base, stride, g, w, bias, out, y_row, ox, ox + 1 < g->out_w ? 2 : 1, 1, c, nch);
    }
}

/* An output row, its filter rows at rows[ky] or with rows NULL at base + ky * stride: group of four channels by
 * group (the row pointers moved to the group once), a partial last group on its own. */
TG_GEMM_INLINE void tg_depthwise_row(const tg_depthwise_window *d, const int8_t *const *rows, const int8_t *base,
                                     int32_t stride, const int32_t *w, const int32_t *bias,
                                     const tg_gemm_output *out, int8_t *y_row)
{
    const tg_gemm_window *g = &d->win;
    const int32_t whole = g->in_c / 4 * 4;
    const int8_t *group_rows[TG_DEPTHWISE_MAX_ROWS];
    for (int32_t c = 0; c < g->in_c; c += 4) {
        if (rows != NULL) {
            for (int32_t ky = 0; ky < g->k_h; ++ky) {
                group_rows[ky] = rows[ky] + c;
            }
        }
        if (c < whole) {
            tg_depthwise_pairs(d, rows != NULL ? group_rows : NULL, base + c, stride, w, bias, out, y_row, c, 4);
        } else {
            tg_depthwise_pairs(d, rows != NULL ? group_rows : NULL, base + c, stride, w, bias, out, y_row, c,
                               g->in_c - whole);
        }
    }
}

/* rows[ky] = the input row (at x, in_h rows per batch) that filter row ky reads for output row oy of batch b, or
 * pad_row where it lies outside the input. */
TG_GEMM_INLINE void tg_depthwise_rows(const tg_gemm_window *g, const int8_t *x, const int8_t *pad_row, int32_t b,
                                      int32_t oy, const int8_t **rows)
{
    for (int32_t ky = 0; ky < g->k_h; ++ky) {
        const int32_t iy = oy * g->stride_h - g->pad_h + ky * g->dil_h;
        rows[ky] = iy >= 0 && iy < g->in_h ? x + (b * g->in_h + iy) * g->in_w * g->in_c : pad_row;
    }
}

/* pad_row: in_w * in_c pad values where some output row's window leaves the input's rows, else unread. bias: per
 * channel its folded bias, or in the short form (out->right_shifts_only, see tg_depthwise_store) four words: the
 * doubled bias, multiplier, rounding and exponent (one pointer, loaded in pairs). */
TG_GEMM_INLINE void tg_depthwise_s8(const tg_depthwise_window *d, const int8_t *x, const int8_t *pad_row,
                                    const int32_t *weights, const int32_t *bias, const tg_gemm_output *out, int8_t *y)
{
    const tg_gemm_window *g = &d->win;
    const int8_t *rows[TG_DEPTHWISE_MAX_ROWS];
    for (int32_t b = 0; b < g->batches; ++b) {
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            tg_depthwise_rows(g, x, pad_row, b, oy, rows);
            tg_depthwise_row(d, rows, NULL, 0, weights, bias, out, y + (b * g->out_h + oy) * g->out_w * g->in_c);
        }
    }
}

/* The same over its own input (xy), for stride 1 and output rows the size of input rows (checked offline):
 * output row oy overwrites input row oy, which later rows' windows still read, so the window's rows are read
 * from `ring`, a copy of the span (k_h - 1) * dil_h + 1 rows it covers (rows outside the input: pad values), moved
 * up a row and refilled from rows not yet overwritten before each output row: its filter rows then lie at constant
 * offsets, which the taps' loads take. */
TG_GEMM_INLINE void tg_depthwise_inplace_s8(const tg_depthwise_window *d, int8_t *xy, const int32_t *weights,
                                            const int32_t *bias, const tg_gemm_output *out, int8_t *ring)
{
    const tg_gemm_window *g = &d->win;
    const int32_t row_bytes = g->in_w * g->in_c, span = (g->k_h - 1) * g->dil_h + 1;
    for (int32_t b = 0; b < g->batches; ++b) {
        int8_t *x = xy + b * g->in_h * row_bytes;
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            int32_t fresh = 0; /* the first slot to fill from x */
            if (oy > 0) {
                memmove(ring, ring + row_bytes, (size_t)((span - 1) * row_bytes));
                fresh = span - 1;
            }
            for (int32_t k = fresh; k < span; ++k) {
                const int32_t iy = oy - g->pad_h + k;
                if (iy >= 0 && iy < g->in_h) {
                    memcpy(ring + k * row_bytes, x + iy * row_bytes, (size_t)row_bytes);
                } else {
                    memset(ring + k * row_bytes, g->pad_value, (size_t)row_bytes);
                }
            }
            tg_depthwise_row(d, NULL, ring, g->dil_h * row_bytes, weights, bias, out, x + oy * row_bytes);
        }
    }
}

/* The byte-layout form for cores without SIMD multiply-accumulates. */
#include "tg_depthwise_c.h"

#endif
