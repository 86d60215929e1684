/* TRANSPOSE, int8, int16 and float32: TFLite's reference Transpose, over the axes the compiler left
 * after merging; the same walk serves SLICE, STRIDED_SLICE, SPLIT, UNPACK, REVERSE_V2, DEPTH_TO_SPACE and
 * SPACE_TO_DEPTH (a start offset in the input pointer, negative strides for reversed axes). */
#include "tg_transpose.h"

/* The walk over elements of type elem_t: strides count elements. */
#define TG_TRANSPOSE_BODY(elem_t)                                                                             \
    const int32_t *d = params->dims, *s = params->strides;                                                    \
    for (int32_t i0 = 0; i0 < d[0]; ++i0) {                                                                   \
        for (int32_t i1 = 0; i1 < d[1]; ++i1) {                                                               \
            for (int32_t i2 = 0; i2 < d[2]; ++i2) {                                                           \
                for (int32_t i3 = 0; i3 < d[3]; ++i3) {                                                       \
                    const elem_t *row = input + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3];                \
                    for (int32_t i4 = 0; i4 < d[4]; ++i4) {                                                   \
                        *output++ = row[i4 * s[4]];                                                           \
                    }                                                                                         \
                }                                                                                             \
            }                                                                                                 \
        }                                                                                                     \
    }

void tg_transpose_s8(const tg_transpose_params *params, const int8_t *input, int8_t *output)
{
    TG_TRANSPOSE_BODY(int8_t)
}

void tg_transpose_s16(const tg_transpose_params *params, const int16_t *input, int16_t *output)
{
    TG_TRANSPOSE_BODY(int16_t)
}

void tg_transpose_f32(const tg_transpose_params *params, const float *input, float *output)
{
    TG_TRANSPOSE_BODY(float)
}

#undef TG_TRANSPOSE_BODY
