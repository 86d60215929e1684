/* The specialized backend's matrix products (backends/specialized.py), bit-exact with TFLM's reference kernels:
 * pointwise CONV_2D and FULLY_CONNECTED as out[p][c] = requantize(bias[c] + sum_k w[c][k] * x[p][k])
 * (tg_gemm_s8), other ungrouped convolutions the same way over the rows of their im2col matrix (tg_conv_gemm_s8).
 *
 * The kernels are inlined at every call with the layer's sizes as literal constants (static const structs),
 * so the compiler sees fixed trip counts and blocks. What the compiler prepared offline
 * (ops/fully_connected/specialized.py):
 * - the bias has the input offset folded in: sum w * (x + off) = sum w * x + off * sum w; an im2col padding
 *   tap holds the input zero point (-off), so it adds -off * w and cancels its share, as TFLM skips it;
 * - each weight row is zero-padded to whole words of 4 bytes and packed into int32 words (byte j of a word is
 *   bits 8j..8j+7); the rows of output channels 2i and 2i+1 are interleaved word by word, so the inner loop
 *   reads one sequential stream; an odd last channel's row follows on its own;
 * - or, where exact (the usual case on the DSP path), the paired layout: channels 2i and 2i+1 share 16-bit halves
 *   256 w[2i+1][k] + w[2i][k], one weight word then feeding 4 MACs (paired_weights, tg_gemm_pairs_dsp).
 *
 * With the DSP extension (Cortex-M4/M7/M33) and scratch, two pixels' input rows are sign-extended into scratch
 * first, as the 16-bit pairs SXTB16 makes of each word ((x0, x2), (x1, x3)), the same pairs it makes of the
 * weights; the inner loop then does two SMLADs per weight word and pixel for 2 pixels x 2 channels (interleaved),
 * or per paired weight word one SXTB16 and two SMLADs per pixel for 2 pixels x 2 channels or 1 pixel x 4
 * channels. Elsewhere the same blocks run in plain C on bytes.
 */
#ifndef TG_GEMM_H
#define TG_GEMM_H

#include <stdint.h>
#include <string.h>

#include "tg_add.h"
#include "tg_math.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define TG_GEMM_DSP 1
#else
#define TG_GEMM_DSP 0
#endif

#if defined(__GNUC__)
/* The point of the kernel is its specialisation: every call must be inlined with its constants. */
#define TG_GEMM_INLINE static inline __attribute__((always_inline))
/* Each layer's specialised function stays one function: inlined into invoke, GCC allocates registers worse. */
#define TG_NOINLINE __attribute__((noinline))
#else
#define TG_GEMM_INLINE static inline
#define TG_NOINLINE
#endif

/* How a layer's accumulators become int8 outputs; a static const object at the call, so its fields fold. */
typedef struct {
    const int32_t *mult;  /* per channel, or one value when per_channel is 0 */
    const int32_t *shift;
    int32_t per_channel;
    int32_t right_shifts_only; /* see tg_gemm_requantize */
    int32_t output_offset;
    int32_t min; /* the fused activation's clamp, in output units */
    int32_t max;
    const tg_add_params *add; /* a residual ADD fused into tg_gemm_s8 / tg_conv_gemm_s8 (input 1: the product), or NULL */
    int32_t rounded; /* DSP path, per channel, right shifts only: round holds the rounding constants */
    const int32_t *round; /* per channel 2^(e-1) + output_offset 2^e, e = -shift (see tg_gemm_requantize_smmlar) */
} tg_gemm_output;

/* A convolution's window over its input for tg_conv_gemm_s8 (batch and output size included). */
typedef struct {
    int32_t batches, in_h, in_w, in_c, out_h, out_w, k_h, k_w, stride_h, stride_w, dil_h, dil_w, pad_h, pad_w;
    int8_t pad_value; /* the input zero point: a padding tap then adds nothing, the folded bias counting it */
} tg_gemm_window;

/* Signed byte j of a packed word. */
TG_GEMM_INLINE int32_t tg_gemm_byte(uint32_t word, int32_t j)
{
    return (int32_t)(int8_t)(uint8_t)(word >> (8 * j));
}

#if TG_GEMM_DSP
/* floor((a * b + 2^31) / 2^32): SMMULR, the rounded high word of a 32x32 product. */
TG_GEMM_INLINE int32_t tg_gemm_smmulr(int32_t a, int32_t b)
{
    int32_t r;
    __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
#endif

/* tg_requantize (TFLite's MultiplyByQuantizedMultiplier) for a multiplier > 0, as the compiler makes them. Then
 * the doubling high product never saturates, and its round-to-nearest (ties away from zero, truncating) equals
 * floor((a * b + 2^30) / 2^31): one 64-bit multiply-add and a shift instead of a 64-bit division.
 * right_shifts_only: every shift of the layer is < 0, |acc| < 2^30 and no high product comes within
 * 2^(-shift - 1) of INT32_MAX (checked offline), so the rounding division by 2^e is
 * (high + 2^(e-1) - (high < 0)) >> e. */
TG_GEMM_INLINE int32_t tg_gemm_requantize(int32_t acc, int32_t mult, int32_t shift, int32_t right_shifts_only)
{
    if (right_shifts_only) {
#if TG_GEMM_DSP
        /* SMLAL with the rounding constant: on Arm GCC's own 64-bit multiply-add is shortest */
        const int32_t high = (int32_t)(((int64_t)acc * mult + ((int64_t)1 << 30)) >> 31);
#else
        /* |acc| < 2^30 too (checked offline): the high word of (2 acc) * mult plus the top bit of its low word is
         * that floor, one multiply-high and no 64-bit addition (on RISC-V 5 instructions instead of 9). */
        const int64_t twice = (int64_t)(acc * 2) * mult;
        const int32_t high = (int32_t)(twice >> 32) + (int32_t)((uint32_t)twice >> 31);
#endif
        const int32_t e = -shift;
        return (high + ((int32_t)1 << (e - 1)) + (high >> 31)) >> e;
    }
    const int32_t left = shift > 0 ? shift : 0;
    const int64_t product = (int64_t)(int32_t)((uint32_t)acc << left) * mult + ((int64_t)1 << 30);
    const int32_t high = (int32_t)(product >> 31); /* arithmetic shift on every supported compiler */
    return shift > 0 ? high : tg_rounding_divide_by_pot(high, -shift);
}

#if TG_GEMM_DSP
/* tg_gemm_requantize's short rounding with the high product as SMMULR of 2 acc: floor((2 acc * b + 2^31) / 2^32)
 * = floor((acc * b + 2^30) / 2^31), 2 acc fitting in 32 bits as |acc| < 2^30. Fewer instructions for a per-channel
 * multiplier; a constant one GCC multiplies better itself. SMMLAR adds `round` on the way (round + the rounded
 * high word): the rounding constant 2^(e-1), plus any multiple of 2^e, which then adds exactly (the compiler's
 * rounding constants fold the output offset in that way, checked offline to stay in int32). acc's sign stands for
 * the high word's (b >= 0: the high word has acc's sign or is 0, and then both give 0 for e >= 1). */
TG_GEMM_INLINE int32_t tg_gemm_requantize_smmlar(int32_t acc, int32_t mult, int32_t e, int32_t round)
{
    int32_t rounded;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(rounded) : "r"((int32_t)((uint32_t)acc << 1)), "r"(mult), "r"(round));
    return (rounded + (acc >> 31)) >> e;
}

/* The short rounding of a right shift by e = -shift, through tg_gemm_requantize_smmlar. */
TG_GEMM_INLINE int32_t tg_gemm_requantize_smmulr(int32_t acc, int32_t mult, int32_t shift)
{
    return tg_gemm_requantize_smmlar(acc, mult, -shift, (int32_t)1 << (-shift - 1));
}

/* v clamped to int8 in one SSAT (arm_acle.h's __ssat trips -Wsign-conversion; GCC's own clamp of the offset
 * value took compares and branches). */
TG_GEMM_INLINE int32_t tg_gemm_ssat8(int32_t v)
{
    int32_t r;
    __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(v));
    return r;
}
#endif

/* y = acc requantized with channel c's mult, shift and (out->rounded) round (read by the caller: a store through
 * int8_t may alias them, so a caller storing several pixels of a channel reads them once), offset and clamped. */
TG_GEMM_INLINE void tg_gemm_store_with(int8_t *y, int32_t acc, const tg_gemm_output *out, int32_t mult, int32_t shift,
                                       int32_t round)
{
    /* Clamped to int8 first (one SSAT on Arm), then to the fused activation's range. */
#if TG_GEMM_DSP
    const int32_t v = out->rounded ? tg_gemm_requantize_smmlar(acc, mult, -shift, round) /* offset included */
                      : (out->per_channel && out->right_shifts_only
                         ? tg_gemm_requantize_smmulr(acc, mult, shift)
                         : tg_gemm_requantize(acc, mult, shift, out->right_shifts_only)) + out->output_offset;
    const int32_t s8 = tg_gemm_ssat8(v);
    /* GCC cannot see SSAT's range: a no-op second clamp would stay */
    *y = (int8_t)(out->min > -128 || out->max < 127 ? TG_CLAMP(s8, out->min, out->max) : s8);
#else
    const int32_t v = tg_gemm_requantize(acc, mult, shift, out->right_shifts_only) + out->output_offset;
    const int32_t s8 = TG_CLAMP(v, -128, 127);
    *y = (int8_t)TG_CLAMP(s8, out->min, out->max);
    (void)round;
#endif
}

/* y = output channel c's requantized acc, offset and clamped. */
TG_GEMM_INLINE void tg_gemm_store(int8_t *y, int32_t acc, const tg_gemm_output *out, int32_t c)
{
    const int32_t m = out->per_channel ? c : 0;
    tg_gemm_store_with(y, acc, out, out->mult[m], out->shift[m], out->rounded ? out->round[m] : 0);
}

/* tg_gemm_requantize of one of an int8 ADD's values: every one is below 2^29 in magnitude (operands of at most
 * 255 shifted left by 20, then scaled by multipliers below 1), so a right shift of up to 30 takes the short
 * rounding (whose |acc| < 2^30 holds too). The shift is a constant at every call: the test folds. */
TG_GEMM_INLINE int32_t tg_gemm_add_rescale(int32_t x, int32_t mult, int32_t shift)
{
#if TG_GEMM_DSP
    if (shift < 0 && shift > -31) {
        return tg_gemm_requantize_smmulr(x, mult, shift);
    }
#endif
    return tg_gemm_requantize(x, mult, shift, shift < 0 && shift > -31);
}

/* tg_add_s8_one (TFLite's AddFunc) through tg_gemm_requantize, exact as an ADD's multipliers are never negative
 * (scales are positive); its constant parameters fold into a few instructions. */
TG_GEMM_INLINE int8_t tg_gemm_add(const tg_add_params *p, int32_t a, int32_t b)
{
    const int32_t scale = (int32_t)1 << p->left_shift;
    const int32_t x1 = tg_gemm_add_rescale((a + p->input_1_offset) * scale, p->input_1_mult, p->input_1_shift);
    const int32_t x2 = tg_gemm_add_rescale((b + p->input_2_offset) * scale, p->input_2_mult, p->input_2_shift);
    const int32_t y = tg_gemm_add_rescale(x1 + x2, p->out_mult, p->out_shift) + p->out_offset;
    return (int8_t)TG_CLAMP(y, p->activation.min, p->activation.max);
}

/* y = tg_gemm_store's value, or with a fused residual ADD the ADD of it and *r (read before y is written, so y
 * may be r itself: the same arithmetic as TFLM's two operators, as in the portable tg_convolve_add_s8). */
TG_GEMM_INLINE void tg_gemm_store_residual(int8_t *y, const int8_t *r, int32_t acc, const tg_gemm_output *out,
                                           int32_t mult, int32_t shift, int32_t round)
{
    if (out->add == NULL) {
        tg_gemm_store_with(y, acc, out, mult, shift, round);
        return;
    }
    int8_t value;
    tg_gemm_store_with(&value, acc, out, mult, shift, round);
    *y = tg_gemm_add(out->add, value, *r);
}

/* tg_gemm_store_residual for output channel c, its multiplier, shift and rounding read from out. */
TG_GEMM_INLINE void tg_gemm_store_residual_of(int8_t *y, const int8_t *r, int32_t acc, const tg_gemm_output *out,
                                              int32_t c)
{
    const int32_t m = out->per_channel ? c : 0;
    tg_gemm_store_residual(y, r, acc, out, out->mult[m], out->shift[m], out->rounded ? out->round[m] : 0);
}

/* Weight k of channel j of a block whose words for each input word are `stride` apart: byte k % 4 of the
 * channel's word in the interleaved layout, or in the paired one (paired_weights) the half of channel pair j / 2
 * that holds k, h = 256 w[odd] + w[even]. */
TG_GEMM_INLINE int32_t tg_gemm_weight(const int32_t *w, int32_t stride, int32_t paired, int32_t j, int32_t k)
{
    if (!paired) {
        return tg_gemm_byte((uint32_t)w[(k / 4) * stride + j], k % 4);
    }
    const uint32_t word = (uint32_t)w[(k / 4) * stride + (j / 2) * 2 + k % 2];
    const int32_t half = (int32_t)(int16_t)(uint16_t)(word >> (16 * (k % 4 / 2)));
    const int32_t even = (int32_t)(int8_t)(uint8_t)half;
    return j % 2 ? (half - even) / 256 : even;
}

/* acc[q][j] += row q of x . weight row j, for nx pixels (x rows `depth` apart) and nc channels of a block
 * (tg_gemm_weight). Plain C; the tail word reads only the row's bytes. */
TG_GEMM_INLINE void tg_gemm_block_c(const int8_t *x, const int32_t *w, int32_t depth, int32_t nx, int32_t nc,
                                    int32_t stride, int32_t paired, int32_t acc[2][4])
{
    for (int32_t k = 0; k < depth; ++k) {
        for (int32_t j = 0; j < nc; ++j) {
            const int32_t wv = tg_gemm_weight(w, stride, paired, j, k);
            for (int32_t q = 0; q < nx; ++q) {
                acc[q][j] += wv * (int32_t)x[q * depth + k];
            }
        }
    }
}

#if TG_GEMM_DSP
/* SXTB16 of the word rotated right by 8: its bytes 1 and 3, sign-extended (GCC's arm_acle.h has no __ror). */
TG_GEMM_INLINE int32_t tg_gemm_sxtb16_ror8(uint32_t word)
{
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(word));
    return r;
}

/* (*p)[0], (*p)[1] = a, b in one STRD (as tg_gemm_load2), *p advanced by 2 nx words (nx 1 or 2). */
TG_GEMM_INLINE void tg_gemm_store2(int32_t **p, int32_t nx, int32_t a, int32_t b)
{
    if (nx == 2) {
        __asm__ volatile("strd %2, %3, [%0], #16" : "+r"(*p), "=m"(*(int32_t(*)[2])*p) : "r"(a), "r"(b));
    } else {
        __asm__ volatile("strd %2, %3, [%0], #8" : "+r"(*p), "=m"(*(int32_t(*)[2])*p) : "r"(a), "r"(b));
    }
}

/* scratch[2nx i + 2q], scratch[2nx i + 2q + 1] = the even and odd 16-bit pairs of word i of pixel q's row, for
 * nx pixels (the last word zero-padded): 2 nx words per input word, so one pixel needs half the scratch. */
TG_GEMM_INLINE void tg_gemm_extend(const int8_t *x, int32_t depth, int32_t nx, int32_t *scratch)
{
    const int32_t whole = depth / 4, tail = depth % 4;
    for (int32_t q = 0; q < nx; ++q) {
        const int8_t *row = x + q * depth;
        int32_t *pairs = scratch + 2 * q;
        /* whole words, then the tail's bytes (no test per word: the loop is a load, two SXTB16 and a STRD) */
        for (int32_t i = 0; i < whole; ++i) {
            uint32_t word;
            memcpy(&word, row + 4 * i, 4);
            tg_gemm_store2(&pairs, nx, __sxtb16((int32_t)word), tg_gemm_sxtb16_ror8(word));
        }
        if (tail != 0) {
            uint32_t word = 0;
            memcpy(&word, row + 4 * whole, (size_t)tail);
            tg_gemm_store2(&pairs, nx, __sxtb16((int32_t)word), tg_gemm_sxtb16_ror8(word));
        }
    }
}

/* *a0 (pixel 0) and *a1 (pixel 1, when nx is 2) += the 4 products of one weight word with one extended word. */
TG_GEMM_INLINE void tg_gemm_mac_dsp(uint32_t word, const int32_t *xs, int32_t nx, int32_t *a0, int32_t *a1)
{
    const int32_t even = __sxtb16((int32_t)word), odd = tg_gemm_sxtb16_ror8(word);
    *a0 = __smlad(odd, xs[1], __smlad(even, xs[0], *a0));
    if (nx == 2) {
        *a1 = __smlad(odd, xs[3], __smlad(even, xs[2], *a1));
    }
}

/* a[q][c] += pixel q . channel c over `words` words, for nx pixels of extended scratch and nc channels; two
 * words per iteration (half the loop overhead), the accumulators in locals (registers) throughout. */
TG_GEMM_INLINE void tg_gemm_block_dsp(const int32_t *xs, const int32_t *w, int32_t words, int32_t nx, int32_t nc,
                                      int32_t a[2][4])
{
    int32_t a00 = a[0][0], a01 = a[0][1], a10 = a[1][0], a11 = a[1][1];
    int32_t i = 0;
    for (; i + 2 <= words; i += 2) {
        tg_gemm_mac_dsp((uint32_t)w[0], xs, nx, &a00, &a10);
        if (nc == 2) {
            tg_gemm_mac_dsp((uint32_t)w[1], xs, nx, &a01, &a11);
        }
        tg_gemm_mac_dsp((uint32_t)w[nc], xs + 2 * nx, nx, &a00, &a10);
        if (nc == 2) {
            tg_gemm_mac_dsp((uint32_t)w[nc + 1], xs + 2 * nx, nx, &a01, &a11);
        }
        xs += 4 * nx;
        w += 2 * nc;
    }
    if (i < words) {
        tg_gemm_mac_dsp((uint32_t)w[0], xs, nx, &a00, &a10);
        if (nc == 2) {
            tg_gemm_mac_dsp((uint32_t)w[1], xs, nx, &a01, &a11);
        }
    }
    a[0][0] = a00;
    a[0][1] = a01;
    a[1][0] = a10;
    a[1][1] = a11;
}

/* *a, *b = (*p)[0], (*p)[1] in one LDRD, *p advanced by 2 words: GCC splits 64-bit loads into two LDRs for
 * Cortex-M (the same cycles there, but twice the instructions). Volatile: the loads keep their order, so GCC
 * does not hoist a block's weights ahead of their use and spill the sums. */
TG_GEMM_INLINE void tg_gemm_load2(const int32_t **p, int32_t *a, int32_t *b)
{
    __asm__ volatile("ldrd %0, %1, [%2], #8" : "=r"(*a), "=r"(*b), "+r"(*p) : "m"(*(const int32_t(*)[2])*p));
}

/* *even += x . channel 2j's weights, *both += x . the raw halves (256 channel 2j+1's + channel 2j's), over one
 * input word: its extended pair xe, xo and the pair's weight words e, o (paired_weights). */
TG_GEMM_INLINE void tg_gemm_mac_pair_dsp(int32_t e, int32_t o, int32_t xe, int32_t xo, int32_t *even, int32_t *both)
{
    *even = __smlad(__sxtb16(o), xo, __smlad(__sxtb16(e), xe, *even));
    *both = __smlad(o, xo, __smlad(e, xe, *both));
}

/* One input word of the lanes (pixel, pair) tg_gemm_pairs_dsp takes: *xs and *w advanced past it. */
TG_GEMM_INLINE void tg_gemm_pair_word_dsp(const int32_t **xs, const int32_t **w, int32_t stride, int32_t nx,
                                          int32_t np, int32_t *e0, int32_t *b0, int32_t *e1, int32_t *b1)
{
    int32_t xe, xo, we, wo;
    tg_gemm_load2(xs, &xe, &xo);
    tg_gemm_load2(w, &we, &wo);
    tg_gemm_mac_pair_dsp(we, wo, xe, xo, e0, b0);
    if (nx == 2) {
        tg_gemm_load2(xs, &xe, &xo);
        tg_gemm_mac_pair_dsp(we, wo, xe, xo, e1, b1);
    } else if (np == 2) {
        tg_gemm_load2(w, &we, &wo);
        tg_gemm_mac_pair_dsp(we, wo, xe, xo, e1, b1);
    }
    *w += stride - 2 * np;
}

/* a[q][2j], a[q][2j + 1] += pixel q . channels 2j, 2j + 1 of a block `stride` words per input word, over `words`
 * words of nx pixels' extended scratch: for one pixel the block's pairs j = first .. first + np - 1, for two
 * pair `first` (at most 2 lanes of pixel and pair: their 4 sums stay in registers). SMLAD wraps, so a pair's raw
 * sum is 256 (odd channel) + (even channel) modulo 2^32; the odd channel's sum, below 2^23 in magnitude (checked
 * offline), is its difference from the even one's shifted right by 8. */
TG_GEMM_INLINE void tg_gemm_pairs_dsp(const int32_t *xs, const int32_t *w, int32_t words, int32_t stride,
                                      int32_t nx, int32_t first, int32_t np, int32_t a[2][4])
{
    /* both sums start at the even channel's value, which then cancels in their difference */
    const int32_t c = 2 * first, q1 = nx == 2 ? 1 : 0, c1 = nx == 2 ? c : c + 2;
    int32_t e0 = a[0][c], b0 = a[0][c], e1 = a[q1][c1], b1 = a[q1][c1];
    int32_t i = 0;
    w += 2 * first;
    for (; i + 2 <= words; i += 2) {
        tg_gemm_pair_word_dsp(&xs, &w, stride, nx, np, &e0, &b0, &e1, &b1);
        tg_gemm_pair_word_dsp(&xs, &w, stride, nx, np, &e0, &b0, &e1, &b1);
    }
    if (i < words) {
        tg_gemm_pair_word_dsp(&xs, &w, stride, nx, np, &e0, &b0, &e1, &b1);
    }
    a[0][c] = e0;
    a[0][c + 1] += (int32_t)((uint32_t)b0 - (uint32_t)e0) >> 8;
    if (nx * np == 2) {
        a[q1][c1] = e1;
        a[q1][c1 + 1] += (int32_t)((uint32_t)b1 - (uint32_t)e1) >> 8;
    }
}
#endif

/* y[c] and, for two pixels, y[channels + c]: channel c's outputs from a0, a1 (as tg_gemm_store_residual), its
 * multiplier, shift and rounding constant read once. */
TG_GEMM_INLINE void tg_gemm_store_channel(int8_t *y, const int8_t *r, int32_t a0, int32_t a1, const tg_gemm_output *out,
                                          int32_t nx, int32_t c, int32_t channels)
{
    const int32_t m = out->per_channel ? c : 0, mult = out->mult[m], shift = out->shift[m];
    const int32_t round = out->rounded ? out->round[m] : 0;
    tg_gemm_store_residual(y + c, r + c, a0, out, mult, shift, round);
    if (nx == 2) {
        tg_gemm_store_residual(y + channels + c, r + channels + c, a1, out, mult, shift, round);
    }
}

/* Channels c .. c + nc - 1 (one block: nc constant at each call, so its loops unroll and the sums stay in
 * registers) of nx pixels, as tg_gemm_pixels. */
TG_GEMM_INLINE void tg_gemm_channels(const int8_t *x, const int32_t *weights, const int32_t *bias,
                                     const tg_gemm_output *out, const int32_t *scratch, const int8_t *r, int8_t *y,
                                     int32_t nx, int32_t depth, int32_t channels, int32_t paired, int32_t c,
                                     int32_t nc)
{
    const int32_t words = (depth + 3) / 4;
    const int32_t *w = weights + c * words;
    /* lanes beyond nc repeat a bias and are never stored; every index is a constant, so acc lives in registers */
    const int32_t b0 = bias[c], b1 = bias[c + (nc > 1)], b2 = bias[c + 2 * (nc > 2)], b3 = bias[c + 3 * (nc > 3)];
    int32_t acc[2][4] = {{b0, b1, b2, b3}, {b0, b1, b2, b3}};
#if TG_GEMM_DSP
    if (scratch != NULL && paired && nc >= 2) {
        /* one pixel takes a block's two pairs at once, two pixels one pair at a time (calls, not a loop: acc's
         * indices stay constants) */
        const int32_t np = nx == 1 ? nc / 2 : 1;
        tg_gemm_pairs_dsp(scratch, w, words, nc, nx, 0, np, acc);
        if (np < nc / 2) {
            tg_gemm_pairs_dsp(scratch, w, words, nc, nx, 1, 1, acc);
        }
    } else if (scratch != NULL) {
        tg_gemm_block_dsp(scratch, w, words, nx, nc, acc);
    } else {
        tg_gemm_block_c(x, w, depth, nx, nc, nc, paired && nc >= 2, acc);
    }
#else
    tg_gemm_block_c(x, w, depth, nx, nc, nc, paired && nc >= 2, acc);
    (void)scratch;
#endif
    /* spelled out, not a loop over nc, so that acc's indices are constants and it stays in registers */
    tg_gemm_store_channel(y, r, acc[0][0], acc[1][0], out, nx, c, channels);
    if (nc > 1) {
        tg_gemm_store_channel(y, r, acc[0][1], acc[1][1], out, nx, c + 1, channels);
    }
    if (nc > 2) {
        tg_gemm_store_channel(y, r, acc[0][2], acc[1][2], out, nx, c + 2, channels);
    }
    if (nc > 3) {
        tg_gemm_store_channel(y, r, acc[0][3], acc[1][3], out, nx, c + 3, channels);
    }
}

/* nx (1 or 2) pixels of x (rows `depth` apart) against every output channel. `scratch`: 2 nx words per weight
 * word, or NULL for the plain C loop. `r`: the residual's elements for y's when out->add is set (else unread).
 * `paired`: 4 or 2, the weights are in the paired layout in blocks of that many channels (a lone pair, an odd
 * last channel after them; the DSP path takes a block of 4 at once for one pixel); 0: interleaved 2 channels at
 * a time. */
TG_GEMM_INLINE void tg_gemm_pixels(const int8_t *x, const int32_t *weights, const int32_t *bias,
                                   const tg_gemm_output *out, int32_t *scratch, const int8_t *r, int8_t *y,
                                   int32_t nx, int32_t depth, int32_t channels, int32_t paired)
{
#if TG_GEMM_DSP
    if (scratch != NULL) {
        tg_gemm_extend(x, depth, nx, scratch);
    }
#endif
    int32_t c = 0;
    if (paired == 4) {
        for (; c + 4 <= channels; c += 4) {
            tg_gemm_channels(x, weights, bias, out, scratch, r, y, nx, depth, channels, paired, c, 4);
        }
    }
    for (; c + 2 <= channels; c += 2) {
        tg_gemm_channels(x, weights, bias, out, scratch, r, y, nx, depth, channels, paired, c, 2);
    }
    if (c < channels) {
        tg_gemm_channels(x, weights, bias, out, scratch, r, y, nx, depth, channels, paired, c, 1);
    }
}

/* y[p][c] for `pixels` rows of `depth` input values and `channels` outputs, two pixels at a time. `residual`: the
 * fused ADD's other operand, shaped as y (y may be it), when out->add is set; else y. */
TG_GEMM_INLINE void tg_gemm_s8(const int8_t *x, const int32_t *weights, const int32_t *bias, const tg_gemm_output *out,
                               int32_t *scratch, const int8_t *residual, int8_t *y, int32_t pixels, int32_t depth,
                               int32_t channels, int32_t paired)
{
    int32_t p = 0;
#if TG_GEMM_DSP
    if (scratch != NULL && channels > depth) {
        /* Last pixels first: in place over a narrower input (ops/fully_connected/specialized.py), a pair's outputs
         * then land on its own and later input rows only, those already extended into scratch. */
        p = pixels;
        if (p % 2 != 0) {
            --p;
            tg_gemm_pixels(x + p * depth, weights, bias, out, scratch, residual + p * channels, y + p * channels, 1,
                           depth, channels, paired);
        }
        for (; p >= 2; p -= 2) {
            tg_gemm_pixels(x + (p - 2) * depth, weights, bias, out, scratch, residual + (p - 2) * channels,
                           y + (p - 2) * channels, 2, depth, channels, paired);
        }
        return;
    }
#endif
    for (; p + 2 <= pixels; p += 2) {
        tg_gemm_pixels(x + p * depth, weights, bias, out, scratch, residual + p * channels, y + p * channels, 2,
                       depth, channels, paired);
    }
    if (p < pixels) {
        tg_gemm_pixels(x + p * depth, weights, bias, out, scratch, residual + p * channels, y + p * channels, 1,
                       depth, channels, paired);
    }
}

/* Output pixel p's window (p counts batch, rows, columns) as a row of the im2col matrix: taps in the filter's
 * order (ky, kx, c), those outside the input set to the pad value. */
TG_GEMM_INLINE void tg_gemm_im2col(const int8_t *x, const tg_gemm_window *g, int32_t p, int8_t *row)
{
    const int32_t ox = p % g->out_w, oy = p / g->out_w % g->out_h, b = p / (g->out_w * g->out_h);
    const int32_t ix0 = ox * g->stride_w - g->pad_w, c = g->in_c;
    for (int32_t ky = 0; ky < g->k_h; ++ky) {
        const int32_t iy = oy * g->stride_h - g->pad_h + ky * g->dil_h;
        int8_t *dst = row + ky * g->k_w * c;
        if (iy < 0 || iy >= g->in_h) {
            memset(dst, g->pad_value, (size_t)(g->k_w * c));
            continue;
        }
        const int8_t *src = x + (b * g->in_h + iy) * g->in_w * c;
        if (g->dil_w == 1 && ix0 >= 0 && ix0 + g->k_w <= g->in_w) {
            memcpy(dst, src + ix0 * c, (size_t)(g->k_w * c)); /* the interior: one run per filter row */
        } else {
            for (int32_t kx = 0; kx < g->k_w; ++kx) {
                const int32_t ix = ix0 + kx * g->dil_w;
                if (ix < 0 || ix >= g->in_w) {
                    memset(dst + kx * c, g->pad_value, (size_t)c);
                } else {
                    memcpy(dst + kx * c, src + ix * c, (size_t)c);
                }
            }
        }
    }
}

/* A convolution (one group) as the matrix product of its im2col rows, two output pixels at a time: `col` holds
 * two rows of k_h * k_w * in_c bytes; `residual` as for tg_gemm_s8. */
TG_GEMM_INLINE void tg_conv_gemm_s8(const tg_gemm_window *g, const int8_t *x, const int32_t *weights,
                                    const int32_t *bias, const tg_gemm_output *out, int8_t *col, int32_t *scratch,
                                    const int8_t *residual, int8_t *y, int32_t channels, int32_t paired)
{
    const int32_t depth = g->k_h * g->k_w * g->in_c, pixels = g->batches * g->out_h * g->out_w;
    int32_t p = 0;
    for (; p + 2 <= pixels; p += 2) {
        tg_gemm_im2col(x, g, p, col);
        tg_gemm_im2col(x, g, p + 1, col + depth);
        tg_gemm_pixels(col, weights, bias, out, scratch, residual + p * channels, y + p * channels, 2, depth,
                       channels, paired);
    }
    if (p < pixels) {
        tg_gemm_im2col(x, g, p, col);
        tg_gemm_pixels(col, weights, bias, out, scratch, residual + p * channels, y + p * channels, 1, depth,
                       channels, paired);
    }
}

/* ---- Sparse weights (tg_sparse_gemm_s8, tg_conv_sparse_gemm_s8): zero weights neither stored nor multiplied ----
 *
 * A zero weight adds nothing to the int32 sum (int8 weights have zero point 0), so the compiler keeps only each
 * output channel's nonzeros (ops/fully_connected/specialized.py sparse_entries): per channel `pairs[c]` words,
 * each two entries of a byte step d and a weight w (bits d0 | w0 << 8 | d1 << 16 | w1 << 24): an entry's input
 * is the previous one's plus d bytes of the gathered input (a channel starts at its first input). Gaps longer
 * than one byte's step and odd counts are made up with zero weights. A channel without nonzeros costs one
 * requantization per block of pixels (without a fused ADD: its output is then the same for every pixel).
 *
 * One weight is loaded for TG_SPARSE_PIXELS pixels at once: their inputs are first gathered pixel-minor, per
 * input k the 4 pixels' values side by side. With the DSP extension they are sign-extended as SXTB16 makes them,
 * (x0, x2) and (x1, x3) in 2 words per k (step unit 8 bytes), and each weight feeds 4 SMLAxy; SXTB16 of the
 * entry word rotated by 8 gives both its weights as halves. Elsewhere 4 bytes per k (step unit 4). */
#if TG_GEMM_DSP
#define TG_SPARSE_PIXELS 8 /* the most sums that leave registers for tg_sparse_channel's loop */
#else
#define TG_SPARSE_PIXELS 4
#endif

#if TG_GEMM_DSP
/* Halves (low of a, low of b): PKHBT. */
TG_GEMM_INLINE int32_t tg_gemm_pack_low(int32_t a, int32_t b)
{
    int32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

/* Halves (high of a, high of b): PKHTB. */
TG_GEMM_INLINE int32_t tg_gemm_pack_high(int32_t a, int32_t b)
{
    int32_t r;
    __asm__("pkhtb %0, %2, %1, asr #16" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
#endif

#if TG_GEMM_DSP
/* Words 2 TG_SPARSE_PIXELS / 4 * k + (0, 1) of xt = pixels (0, 2), (1, 3) of the 4 rows at k, as 16-bit halves. */
TG_GEMM_INLINE void tg_sparse_gather4(const int8_t *const row[4], int32_t depth, int32_t *xt)
{
    const int32_t stride = 2 * TG_SPARSE_PIXELS / 4; /* words per k */
    int32_t k = 0;
    for (; k + 4 <= depth; k += 4) {
        uint32_t r0, r1, r2, r3;
        memcpy(&r0, row[0] + k, 4);
        memcpy(&r1, row[1] + k, 4);
        memcpy(&r2, row[2] + k, 4);
        memcpy(&r3, row[3] + k, 4);
        /* bytes (0, 2) and (1, 3) of each row as halves */
        const int32_t e0 = __sxtb16((int32_t)r0), e1 = __sxtb16((int32_t)r1);
        const int32_t e2 = __sxtb16((int32_t)r2), e3 = __sxtb16((int32_t)r3);
        const int32_t o0 = tg_gemm_sxtb16_ror8(r0), o1 = tg_gemm_sxtb16_ror8(r1);
        const int32_t o2 = tg_gemm_sxtb16_ror8(r2), o3 = tg_gemm_sxtb16_ror8(r3);
        int32_t *out = xt + stride * k;
        out[0] = tg_gemm_pack_low(e0, e2);
        out[1] = tg_gemm_pack_low(e1, e3);
        out[stride] = tg_gemm_pack_low(o0, o2);
        out[stride + 1] = tg_gemm_pack_low(o1, o3);
        out[2 * stride] = tg_gemm_pack_high(e0, e2);
        out[2 * stride + 1] = tg_gemm_pack_high(e1, e3);
        out[3 * stride] = tg_gemm_pack_high(o0, o2);
        out[3 * stride + 1] = tg_gemm_pack_high(o1, o3);
    }
    for (; k < depth; ++k) {
        const uint32_t word = (uint32_t)(uint8_t)row[0][k] | (uint32_t)(uint8_t)row[1][k] << 8 |
                              (uint32_t)(uint8_t)row[2][k] << 16 | (uint32_t)(uint8_t)row[3][k] << 24;
        xt[stride * k] = __sxtb16((int32_t)word);
        xt[stride * k + 1] = tg_gemm_sxtb16_ror8(word);
    }
}
#endif

/* The gathered input of nx (<= TG_SPARSE_PIXELS) rows of x `step` apart: pixel-minor (rows past nx repeat row 0,
 * their sums never stored). With the DSP extension 4 k at a time: one word of each row, SXTB16 of it (and rotated
 * by 8) and PKHBT/PKHTB pair the pixels' 16-bit values, 6 instructions per k instead of a byte loop's 30. */
TG_GEMM_INLINE void tg_sparse_gather(const int8_t *x, int32_t step, int32_t nx, int32_t depth, int32_t *xt)
{
    const int8_t *row[TG_SPARSE_PIXELS];
    for (int32_t q = 0; q < TG_SPARSE_PIXELS; ++q) {
        row[q] = x + (q < nx ? q : 0) * step;
    }
#if TG_GEMM_DSP
    for (int32_t g = 0; g < TG_SPARSE_PIXELS / 4; ++g) {
        tg_sparse_gather4(row + 4 * g, depth, xt + 2 * g);
    }
#else
    int8_t *bytes = (int8_t *)(void *)xt;
    for (int32_t k = 0; k < depth; ++k) {
        for (int32_t q = 0; q < TG_SPARSE_PIXELS; ++q) {
            bytes[TG_SPARSE_PIXELS * k + q] = row[q][k];
        }
    }
#endif
}

/* acc[q] += pixel q . one channel's `pairs` entry words e over the gathered input xt. */
TG_GEMM_INLINE void tg_sparse_channel(const int32_t *xt, const int32_t *e, int32_t pairs, int32_t acc[TG_SPARSE_PIXELS])
{
#if TG_GEMM_DSP
    /* 28 instructions per entry word (16 MACs). GCC made 24 of the C loop's body for 4 pixels (no UXTAB, no LDRD, a
     * counter). 13 registers: 8 sums, the weights, the input pointer, the entries and two input words, the second
     * the entry word's before and after (the entry's second step reloaded), the end kept in memory. */
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7];
    if (pairs != 0) {
        const int32_t *const end = e + pairs;
        const uint8_t *at = (const uint8_t *)(const void *)xt;
        int32_t t, w, x0;
        __asm__("1:\n\t"
                "ldr %[t], [%[e]], #4\n\t"
                "sxtb16 %[w], %[t], ror #8\n\t" /* (w0, w1) as halves */
                "uxtab %[at], %[at], %[t]\n\t"
                "ldrd %[x0], %[t], [%[at]]\n\t"
                "smlabb %[a0], %[w], %[x0], %[a0]\n\t"
                "smlabt %[a2], %[w], %[x0], %[a2]\n\t"
                "smlabb %[a1], %[w], %[t], %[a1]\n\t"
                "smlabt %[a3], %[w], %[t], %[a3]\n\t"
                "ldrd %[x0], %[t], [%[at], #8]\n\t"
                "smlabb %[a4], %[w], %[x0], %[a4]\n\t"
                "smlabt %[a6], %[w], %[x0], %[a6]\n\t"
                "smlabb %[a5], %[w], %[t], %[a5]\n\t"
                "smlabt %[a7], %[w], %[t], %[a7]\n\t"
                "ldr %[t], [%[e], #-4]\n\t"
                "uxtab %[at], %[at], %[t], ror #16\n\t"
                "ldrd %[x0], %[t], [%[at]]\n\t"
                "smlatb %[a0], %[w], %[x0], %[a0]\n\t"
                "smlatt %[a2], %[w], %[x0], %[a2]\n\t"
                "smlatb %[a1], %[w], %[t], %[a1]\n\t"
                "smlatt %[a3], %[w], %[t], %[a3]\n\t"
                "ldrd %[x0], %[t], [%[at], #8]\n\t"
                "smlatb %[a4], %[w], %[x0], %[a4]\n\t"
                "smlatt %[a6], %[w], %[x0], %[a6]\n\t"
                "smlatb %[a5], %[w], %[t], %[a5]\n\t"
                "smlatt %[a7], %[w], %[t], %[a7]\n\t"
                "ldr %[w], %[end]\n\t"
                "cmp %[e], %[w]\n\t"
                "bne 1b"
                : [t] "=&r"(t), [w] "=&r"(w), [x0] "=&r"(x0), [at] "+r"(at), [e] "+r"(e),
                  [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [a4] "+r"(a4), [a5] "+r"(a5),
                  [a6] "+r"(a6), [a7] "+r"(a7)
                : [end] "m"(end)
                : "cc", "memory"); /* reads the gathered input and the entries */
    }
    acc[4] = a4;
    acc[5] = a5;
    acc[6] = a6;
    acc[7] = a7;
#else
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    const uint8_t *at = (const uint8_t *)(const void *)xt;
    for (int32_t i = 0; i < pairs; ++i) {
        const uint32_t t = (uint32_t)e[i];
        const int32_t w0 = tg_gemm_byte(t, 1), w1 = tg_gemm_byte(t, 3);
        const int8_t *xa = (const int8_t *)(at += t & 0xFFu);
        a0 += w0 * xa[0];
        a1 += w0 * xa[1];
        a2 += w0 * xa[2];
        a3 += w0 * xa[3];
        const int8_t *xb = (const int8_t *)(at += (t >> 16) & 0xFFu);
        a0 += w1 * xb[0];
        a1 += w1 * xb[1];
        a2 += w1 * xb[2];
        a3 += w1 * xb[3];
    }
#endif
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* ---- Paired sparse weights (grouped): the surviving weights of a group of 4 inputs feed one SMLAD ----
 *
 * For 2:4 (and any weights with at most 2 nonzeros in most groups of 4 consecutive inputs), each output
 * channel's weights come as one entry per group holding its (up to) two nonzeros, (w_a, w_b) at inputs a < b of
 * the group (ops/fully_connected/specialized.py pair_entries): bits w_a | step << 8 | w_b << 16 (| 1 << 31 on a
 * channel's last entry), the step in
 * gathered blocks from the previous entry's block (gaps beyond 255 blocks take zero-weight entries; a group with
 * 3 or 4 nonzeros two entries, (0, 1) and (2, 3)). The gathered input holds, per group and each of the 6 pairs
 * (a, b) of its inputs (TG_PAIRS order), a block of the TG_SPARSE_PIXELS pixels' (x_a, x_b) as 16-bit halves:
 * SXTB16 of an entry gives (w_a, w_b), and one SMLAD per pixel adds both products. */
#define TG_PAIRS 6 /* (0, 1), (2, 3), (0, 2), (1, 3), (0, 3), (1, 2) */

#if TG_GEMM_DSP
/* Halves (low of a, high of b): PKHBT without a shift. */
TG_GEMM_INLINE int32_t tg_gemm_pack_cross(int32_t a, int32_t b)
{
    int32_t r;
    __asm__("pkhbt %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

/* Every pair of every group of 4 inputs of the TG_SPARSE_PIXELS rows: word (TG_PAIRS g + j) TG_SPARSE_PIXELS + q
 * of xt is pixel q's pair j of group g. SXTB16 gives pairs (0, 2) and (1, 3), PKHBT/PKHTB the other four: 13
 * instructions per pixel and group. */
TG_GEMM_INLINE void tg_pair_gather(const int8_t *const row[TG_SPARSE_PIXELS], int32_t depth, int32_t *xt)
{
    for (int32_t g = 0; g < depth / 4; ++g) {
        int32_t *block = xt + TG_PAIRS * TG_SPARSE_PIXELS * g;
#pragma GCC unroll 8
        for (int32_t q = 0; q < TG_SPARSE_PIXELS; ++q) {
            uint32_t word;
            memcpy(&word, row[q] + 4 * g, 4);
            const int32_t even = __sxtb16((int32_t)word), odd = tg_gemm_sxtb16_ror8(word); /* (x0, x2), (x1, x3) */
            block[q] = tg_gemm_pack_low(even, odd);
            block[TG_SPARSE_PIXELS + q] = tg_gemm_pack_high(even, odd);
            block[2 * TG_SPARSE_PIXELS + q] = even;
            block[3 * TG_SPARSE_PIXELS + q] = odd;
            block[4 * TG_SPARSE_PIXELS + q] = tg_gemm_pack_cross(even, odd);
            block[5 * TG_SPARSE_PIXELS + q] = tg_gemm_pack_cross(odd, even);
        }
    }
}

/* acc[q] += pixel q . one channel's `pairs` paired entries e over the gathered pairs xt. */
TG_GEMM_INLINE void tg_pair_channel(const int32_t *xt, const int32_t *e, int32_t pairs, int32_t acc[TG_SPARSE_PIXELS])
{
    /* 18 instructions per entry (16 MACs), 13 registers: 8 sums, the entry (then its weights), the block pointer,
     * the entries and two input words. A channel's last entry has bit 31 set (its byte 3 is otherwise unused):
     * the loop ends on the sign of the entry, tested as it is loaded (nothing after sets the flags). */
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7];
    if (pairs != 0) {
        const uint8_t *at = (const uint8_t *)(const void *)xt;
        int32_t t, x0, x1;
        __asm__("1:\n\t"
                "ldr %[t], [%[e]], #4\n\t"
                "cmp %[t], #0\n\t"
                "ubfx %[x0], %[t], #8, #8\n\t"
                "add %[at], %[at], %[x0], lsl #5\n\t" /* blocks of TG_SPARSE_PIXELS words */
                "sxtb16 %[t], %[t]\n\t"                /* (w_a, w_b) as halves */
                "ldrd %[x0], %[x1], [%[at]]\n\t"
                "smlad %[a0], %[t], %[x0], %[a0]\n\t"
                "smlad %[a1], %[t], %[x1], %[a1]\n\t"
                "ldrd %[x0], %[x1], [%[at], #8]\n\t"
                "smlad %[a2], %[t], %[x0], %[a2]\n\t"
                "smlad %[a3], %[t], %[x1], %[a3]\n\t"
                "ldrd %[x0], %[x1], [%[at], #16]\n\t"
                "smlad %[a4], %[t], %[x0], %[a4]\n\t"
                "smlad %[a5], %[t], %[x1], %[a5]\n\t"
                "ldrd %[x0], %[x1], [%[at], #24]\n\t"
                "smlad %[a6], %[t], %[x0], %[a6]\n\t"
                "smlad %[a7], %[t], %[x1], %[a7]\n\t"
                "bpl 1b"
                : [t] "=&r"(t), [x0] "=&r"(x0), [x1] "=&r"(x1), [at] "+r"(at), [e] "+r"(e),
                  [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [a4] "+r"(a4), [a5] "+r"(a5),
                  [a6] "+r"(a6), [a7] "+r"(a7)
                :
                : "cc", "memory"); /* reads the gathered input and the entries */
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
    acc[4] = a4;
    acc[5] = a5;
    acc[6] = a6;
    acc[7] = a7;
}
#else
/* The portable form: the same blocks, each pixel's pair as two int16 (x_a, x_b). */
TG_GEMM_INLINE void tg_pair_gather(const int8_t *const row[TG_SPARSE_PIXELS], int32_t depth, int32_t *xt)
{
    int16_t *halves = (int16_t *)(void *)xt;
    for (int32_t g = 0; g < depth / 4; ++g) {
        int16_t *block = halves + 2 * TG_PAIRS * TG_SPARSE_PIXELS * g;
        for (int32_t q = 0; q < TG_SPARSE_PIXELS; ++q) {
            const int8_t *x = row[q] + 4 * g;
            int16_t *pair = block + 2 * q;
            pair[0] = x[0], pair[1] = x[1];
            pair += 2 * TG_SPARSE_PIXELS;
            pair[0] = x[2], pair[1] = x[3];
            pair += 2 * TG_SPARSE_PIXELS;
            pair[0] = x[0], pair[1] = x[2];
            pair += 2 * TG_SPARSE_PIXELS;
            pair[0] = x[1], pair[1] = x[3];
            pair += 2 * TG_SPARSE_PIXELS;
            pair[0] = x[0], pair[1] = x[3];
            pair += 2 * TG_SPARSE_PIXELS;
            pair[0] = x[1], pair[1] = x[2];
        }
    }
}

TG_GEMM_INLINE void tg_pair_channel(const int32_t *xt, const int32_t *e, int32_t pairs, int32_t acc[TG_SPARSE_PIXELS])
{
    const int16_t *at = (const int16_t *)(const void *)xt;
    for (int32_t i = 0; i < pairs; ++i) {
        const uint32_t t = (uint32_t)e[i];
        const int32_t wa = tg_gemm_byte(t, 0), wb = tg_gemm_byte(t, 2);
        at += 2 * TG_SPARSE_PIXELS * (int32_t)((t >> 8) & 0xFFu);
        for (int32_t q = 0; q < TG_SPARSE_PIXELS; ++q) {
            acc[q] += wa * at[2 * q] + wb * at[2 * q + 1];
        }
    }
}
#endif

/* y[q][c] for nx (<= TG_SPARSE_PIXELS) rows of x `step` apart against every channel; r as y for a fused ADD.
 * zero_channels: some channel has no nonzero (a constant: its test costs the others registers, so it folds away);
 * grouped (a constant): the entries are paired ones (tg_pair_channel). */
TG_GEMM_INLINE void tg_sparse_pixels(const int8_t *x, int32_t step, const int32_t *entries, const uint16_t *pairs,
                                     const int32_t *bias, const tg_gemm_output *out, int32_t *xt, const int8_t *r,
                                     int8_t *y, int32_t nx, int32_t depth, int32_t channels, int32_t zero_channels,
                                     int32_t grouped)
{
    if (grouped) {
        const int8_t *row[TG_SPARSE_PIXELS];
        for (int32_t q = 0; q < TG_SPARSE_PIXELS; ++q) {
            row[q] = x + (q < nx ? q : 0) * step;
        }
        tg_pair_gather(row, depth, xt);
    } else {
        tg_sparse_gather(x, step, nx, depth, xt);
    }
    for (int32_t c = 0; c < channels; ++c) {
        int32_t acc[TG_SPARSE_PIXELS];
#pragma GCC unroll 8
        for (int32_t q = 0; q < TG_SPARSE_PIXELS; ++q) {
            acc[q] = bias[c];
        }
        const int32_t m = out->per_channel ? c : 0;
        if (zero_channels && pairs[c] == 0 && out->add == NULL) {
            /* an all-zero channel: every pixel's output is its bias requantized, computed once */
            int8_t value;
            tg_gemm_store(&value, bias[c], out, c);
#pragma GCC unroll 8
            for (int32_t q = 0; q < nx; ++q) {
                y[q * channels + c] = value;
            }
            continue;
        }
        if (grouped) {
            tg_pair_channel(xt, entries, pairs[c], acc);
        } else {
            tg_sparse_channel(xt, entries, pairs[c], acc);
        }
        entries += pairs[c];
        /* the channel's constants read once (after the sums: not live across their loop); the loops unrolled whole
         * (nx is a constant), so acc stays in registers */
        const int32_t mult = out->mult[m], shift = out->shift[m], round = out->rounded ? out->round[m] : 0;
#pragma GCC unroll 8
        for (int32_t q = 0; q < nx; ++q) {
            tg_gemm_store_residual(y + q * channels + c, r + q * channels + c, acc[q], out, mult, shift, round);
        }
    }
}

/* tg_gemm_s8's product over sparse weights: `pixels` rows of `depth` inputs, TG_SPARSE_PIXELS at a time; xt holds
 * the gathered input (8 bytes per k with the DSP extension, else 4; paired: 48). */
TG_GEMM_INLINE void tg_sparse_rows(const int8_t *x, const int32_t *entries, const uint16_t *pairs,
                                   const int32_t *bias, const tg_gemm_output *out, int32_t *xt,
                                   const int8_t *residual, int8_t *y, int32_t pixels, int32_t depth,
                                   int32_t channels, int32_t zero_channels, int32_t grouped)
{
    const int32_t last = pixels % TG_SPARSE_PIXELS;
    for (int32_t p = 0; p + TG_SPARSE_PIXELS <= pixels; p += TG_SPARSE_PIXELS) {
        tg_sparse_pixels(x + p * depth, depth, entries, pairs, bias, out, xt, residual + p * channels,
                         y + p * channels, TG_SPARSE_PIXELS, depth, channels, zero_channels, grouped);
    }
    if (last != 0) {
        const int32_t p = pixels - last;
        tg_sparse_pixels(x + p * depth, depth, entries, pairs, bias, out, xt, residual + p * channels,
                         y + p * channels, last, depth, channels, zero_channels, grouped);
    }
}

/* tg_conv_gemm_s8 over sparse weights: TG_SPARSE_PIXELS im2col rows into `col` at a time, then as
 * tg_sparse_rows. */
TG_GEMM_INLINE void tg_conv_sparse_rows(const tg_gemm_window *g, const int8_t *x, const int32_t *entries,
                                        const uint16_t *pairs, const int32_t *bias, const tg_gemm_output *out,
                                        int32_t *xt, int8_t *col, const int8_t *residual, int8_t *y,
                                        int32_t channels, int32_t zero_channels, int32_t grouped)
{
    const int32_t depth = g->k_h * g->k_w * g->in_c, pixels = g->batches * g->out_h * g->out_w;
    const int32_t last = pixels % TG_SPARSE_PIXELS;
    for (int32_t p = 0; p + TG_SPARSE_PIXELS <= pixels; p += TG_SPARSE_PIXELS) {
        for (int32_t q = 0; q < TG_SPARSE_PIXELS; ++q) {
            tg_gemm_im2col(x, g, p + q, col + q * depth);
        }
        tg_sparse_pixels(col, depth, entries, pairs, bias, out, xt, residual + p * channels, y + p * channels,
                         TG_SPARSE_PIXELS, depth, channels, zero_channels, grouped);
    }
    if (last != 0) {
        const int32_t p = pixels - last;
        for (int32_t q = 0; q < last; ++q) {
            tg_gemm_im2col(x, g, p + q, col + q * depth);
        }
        tg_sparse_pixels(col, depth, entries, pairs, bias, out, xt, residual + p * channels, y + p * channels, last,
                         depth, channels, zero_channels, grouped);
    }
}

/* The sparse kernels over single entries (sparse_entries) and paired ones (pair_entries; the compiler takes those
 * on the DSP path, where they pay). */
TG_GEMM_INLINE void tg_sparse_gemm_s8(const int8_t *x, const int32_t *entries, const uint16_t *pairs,
                                      const int32_t *bias, const tg_gemm_output *out, int32_t *xt,
                                      const int8_t *residual, int8_t *y, int32_t pixels, int32_t depth,
                                      int32_t channels, int32_t zero_channels)
{
    tg_sparse_rows(x, entries, pairs, bias, out, xt, residual, y, pixels, depth, channels, zero_channels, 0);
}

TG_GEMM_INLINE void tg_conv_sparse_gemm_s8(const tg_gemm_window *g, const int8_t *x, const int32_t *entries,
                                           const uint16_t *pairs, const int32_t *bias, const tg_gemm_output *out,
                                           int32_t *xt, int8_t *col, const int8_t *residual, int8_t *y,
                                           int32_t channels, int32_t zero_channels)
{
    tg_conv_sparse_rows(g, x, entries, pairs, bias, out, xt, col, residual, y, channels, zero_channels, 0);
}

TG_GEMM_INLINE void tg_pair_gemm_s8(const int8_t *x, const int32_t *entries, const uint16_t *pairs,
                                    const int32_t *bias, const tg_gemm_output *out, int32_t *xt,
                                    const int8_t *residual, int8_t *y, int32_t pixels, int32_t depth,
                                    int32_t channels, int32_t zero_channels)
{
    tg_sparse_rows(x, entries, pairs, bias, out, xt, residual, y, pixels, depth, channels, zero_channels, 1);
}

TG_GEMM_INLINE void tg_conv_pair_gemm_s8(const tg_gemm_window *g, const int8_t *x, const int32_t *entries,
                                         const uint16_t *pairs, const int32_t *bias, const tg_gemm_output *out,
                                         int32_t *xt, int8_t *col, const int8_t *residual, int8_t *y,
                                         int32_t channels, int32_t zero_channels)
{
    tg_conv_sparse_rows(g, x, entries, pairs, bias, out, xt, col, residual, y, channels, zero_channels, 1);
}

/* The byte-layout forms for cores without SIMD multiply-accumulates. */
#include "tg_gemm_c.h"

#endif
