/* Broadcasting over NHWC-padded rank-4 shapes, as TFLite's BroadcastBinaryOpSimple: an input dimension of 1
 * repeats along the output's. Shared by the elementwise binary kernels (ADD, MUL, SUB, the comparisons, ...). */
#ifndef TG_BROADCAST_H
#define TG_BROADCAST_H

#include <stdint.h>

#include "tg_types.h"

/* Element strides of `in` along n, h, w, c when walking the output: 0 where the input is broadcast. */
static inline void tg_broadcast_strides(const tg_dims *in, int32_t stride[4])
{
    stride[3] = in->c == 1 ? 0 : 1;
    stride[2] = in->w == 1 ? 0 : in->c;
    stride[1] = in->h == 1 ? 0 : in->w * in->c;
    stride[0] = in->n == 1 ? 0 : in->h * in->w * in->c;
}

/* The element function of a binary operator: its parameters and the two operands (int8, int16 for 16x8, or
 * float32). */
typedef int8_t (*tg_binary_s8)(const void *params, int32_t a, int32_t b);
typedef int16_t (*tg_binary_s16)(const void *params, int32_t a, int32_t b);
typedef float (*tg_binary_f32)(const void *params, float a, float b);

/* output = ELEMENT(a, b) over output_dims, a from input_1 and b from input_2, broadcast: the loop of every
 * binary elementwise kernel, whatever its element types (comparisons write bool bytes). Expands where
 * input_1_dims, input_1, input_2_dims, input_2, output_dims and output are in scope; ELEMENT is a macro or a
 * function of the two operand values. */
#define TG_BROADCAST_BINARY_WALK(in1_t, in2_t, ELEMENT)                                                       \
    do {                                                                                                      \
        int32_t s1[4], s2[4];                                                                                 \
        tg_broadcast_strides(input_1_dims, s1);                                                               \
        tg_broadcast_strides(input_2_dims, s2);                                                               \
        for (int32_t n = 0; n < output_dims->n; ++n) {                                                        \
            for (int32_t h = 0; h < output_dims->h; ++h) {                                                    \
                for (int32_t w = 0; w < output_dims->w; ++w) {                                                \
                    const in1_t *a = input_1 + n * s1[0] + h * s1[1] + w * s1[2];                             \
                    const in2_t *b = input_2 + n * s2[0] + h * s2[1] + w * s2[2];                             \
                    for (int32_t c = 0; c < output_dims->c; ++c) {                                            \
                        *output++ = ELEMENT(a[c * s1[3]], b[c * s2[3]]);                                      \
                    }                                                                                         \
                }                                                                                             \
            }                                                                                                 \
        }                                                                                                     \
    } while (0)

/* A kernel without parameters, name(input_1_dims, input_1, input_2_dims, input_2, output_dims, output): ELEMENT
 * of each broadcast pair, operands and output of elem_t. One instantiation per line: codegen finds the kernel
 * there. */
#define TG_DEFINE_BINARY_WALK(name, elem_t, ELEMENT)                                                          \
    void name(const tg_dims *input_1_dims, const elem_t *input_1, const tg_dims *input_2_dims,               \
              const elem_t *input_2, const tg_dims *output_dims, elem_t *output)                              \
    {                                                                                                         \
        TG_BROADCAST_BINARY_WALK(elem_t, elem_t, ELEMENT);                                                    \
    }

/* output = element(params, input_1, input_2): the body of tg_broadcast_binary_s8 / _s16, one per element type.
 * static inline: each operator's one call inlines it with its element function, so the loop calls nothing per
 * element; params is restrict so the stores (which may alias anything) do not force its fields to be reloaded
 * per element. */
#define TG_BROADCAST_ELEMENT(x, y) element(params, (x), (y))

static inline void tg_broadcast_binary_s8(tg_binary_s8 element, const void *restrict params,
                                          const tg_dims *input_1_dims, const int8_t *input_1,
                                          const tg_dims *input_2_dims, const int8_t *input_2,
                                          const tg_dims *output_dims, int8_t *output)
{
    TG_BROADCAST_BINARY_WALK(int8_t, int8_t, TG_BROADCAST_ELEMENT);
}

static inline void tg_broadcast_binary_s16(tg_binary_s16 element, const void *restrict params,
                                           const tg_dims *input_1_dims, const int16_t *input_1,
                                           const tg_dims *input_2_dims, const int16_t *input_2,
                                           const tg_dims *output_dims, int16_t *output)
{
    TG_BROADCAST_BINARY_WALK(int16_t, int16_t, TG_BROADCAST_ELEMENT);
}

static inline void tg_broadcast_binary_f32(tg_binary_f32 element, const void *restrict params,
                                           const tg_dims *input_1_dims, const float *input_1,
                                           const tg_dims *input_2_dims, const float *input_2,
                                           const tg_dims *output_dims, float *output)
{
    TG_BROADCAST_BINARY_WALK(float, float, TG_BROADCAST_ELEMENT);
}

#undef TG_BROADCAST_ELEMENT

#endif
