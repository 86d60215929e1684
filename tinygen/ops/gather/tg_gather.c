/* GATHER with constant indices and MIRROR_PAD, int8 and float32 (TFLM's types): each output element's input
 * index split into one offset per output axis, tabulated by the compiler (ops/gather, ops/mirror_pad). */
#include "tg_gather.h"

/* The gather of elements of type elem_t: offsets count elements. */
#define TG_GATHER5_BODY(elem_t)                                                                               \
    const int32_t *d = params->dims;                                                                          \
    const int32_t *const *t = params->offsets;                                                                \
    for (int32_t i0 = 0; i0 < d[0]; ++i0) {                                                                   \
        for (int32_t i1 = 0; i1 < d[1]; ++i1) {                                                               \
            for (int32_t i2 = 0; i2 < d[2]; ++i2) {                                                           \
                for (int32_t i3 = 0; i3 < d[3]; ++i3) {                                                       \
                    const elem_t *row = input + t[0][i0] + t[1][i1] + t[2][i2] + t[3][i3];                    \
                    for (int32_t i4 = 0; i4 < d[4]; ++i4) {                                                   \
                        *output++ = row[t[4][i4]];                                                            \
                    }                                                                                         \
                }                                                                                             \
            }                                                                                                 \
        }                                                                                                     \
    }

void tg_gather5_s8(const tg_gather5_params *params, const int8_t *input, int8_t *output)
{
    TG_GATHER5_BODY(int8_t)
}

void tg_gather5_f32(const tg_gather5_params *params, const float *input, float *output)
{
    TG_GATHER5_BODY(float)
}

#undef TG_GATHER5_BODY
