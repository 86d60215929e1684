/* SUB, int8: TFLite reference SubElementwise / BroadcastQuantSubSlow. */
#include "tg_sub.h"

#include "tg_broadcast.h"
#include "tg_math.h"

static inline int8_t tg_sub_s8_one(const tg_add_params *p, int32_t a, int32_t b)
{
    const int32_t scale = (int32_t)1 << p->left_shift;
    const int32_t x1 = tg_requantize((a + p->input_1_offset) * scale, p->input_1_mult, p->input_1_shift);
    const int32_t x2 = tg_requantize((b + p->input_2_offset) * scale, p->input_2_mult, p->input_2_shift);
    const int32_t y = tg_requantize(x1 - x2, p->out_mult, p->out_shift) + p->out_offset;
    return (int8_t)TG_CLAMP(y, p->activation.min, p->activation.max);
}

void tg_sub_s8(const tg_add_params *params, const int8_t *input_1, const int8_t *input_2, int8_t *output,
               int32_t size)
{
    const tg_add_params p = *params;
    for (int32_t i = 0; i < size; ++i) {
        output[i] = tg_sub_s8_one(&p, input_1[i], input_2[i]);
    }
}

void tg_broadcast_sub_s8(const tg_add_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
                         const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims,
                         int8_t *output)
{
    const tg_add_params p = *params;
    int32_t s1[4], s2[4];
    tg_broadcast_strides(input_1_dims, s1);
    tg_broadcast_strides(input_2_dims, s2);
    for (int32_t n = 0; n < output_dims->n; ++n) {
        for (int32_t h = 0; h < output_dims->h; ++h) {
            for (int32_t w = 0; w < output_dims->w; ++w) {
                const int8_t *a = input_1 + n * s1[0] + h * s1[1] + w * s1[2];
                const int8_t *b = input_2 + n * s2[0] + h * s2[1] + w * s2[2];
                for (int32_t c = 0; c < output_dims->c; ++c) {
                    *output++ = tg_sub_s8_one(&p, a[c * s1[3]], b[c * s2[3]]);
                }
            }
        }
    }
}
