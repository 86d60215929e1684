/* MUL, int8: TFLite reference integer_ops::Mul / BroadcastMul6DSlow. */
#include "tg_broadcast.h"
#include "tg_math.h"
#include "tg_mul.h"

void tg_broadcast_mul_s8(const tg_mul_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
                         const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims,
                         int8_t *output)
{
    const tg_mul_params p = *params;
    int32_t s1[4], s2[4];
    tg_broadcast_strides(input_1_dims, s1);
    tg_broadcast_strides(input_2_dims, s2);
    for (int32_t n = 0; n < output_dims->n; ++n) {
        for (int32_t h = 0; h < output_dims->h; ++h) {
            for (int32_t w = 0; w < output_dims->w; ++w) {
                const int8_t *a = input_1 + n * s1[0] + h * s1[1] + w * s1[2];
                const int8_t *b = input_2 + n * s2[0] + h * s2[1] + w * s2[2];
                for (int32_t c = 0; c < output_dims->c; ++c) {
                    const int32_t prod = (a[c * s1[3]] + p.input_1_offset) * (b[c * s2[3]] + p.input_2_offset);
                    const int32_t y = tg_requantize(prod, p.out_mult, p.out_shift) + p.out_offset;
                    *output++ = (int8_t)TG_CLAMP(y, p.activation.min, p.activation.max);
                }
            }
        }
    }
}

void tg_elementwise_mul_s8(const int8_t *input_1_vect, const int8_t *input_2_vect, int32_t input_1_offset,
                           int32_t input_2_offset, int8_t *output, int32_t out_offset, int32_t out_mult,
                           int32_t out_shift, int32_t out_activation_min, int32_t out_activation_max,
                           int32_t block_size)
{
    const tg_mul_params p = { input_1_offset, input_2_offset, out_offset, out_mult, out_shift,
                              { out_activation_min, out_activation_max } };
    const tg_dims flat = { 1, 1, 1, block_size };
    tg_broadcast_mul_s8(&p, &flat, input_1_vect, &flat, input_2_vect, &flat, output);
}
