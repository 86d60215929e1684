/* ADD, int8 and int16: TFLite reference integer_ops::Add / BroadcastAdd6DSlow (AddFunc). */
#include "tg_add.h"
#include "tg_broadcast.h"

static int8_t add_one(const void *params, int32_t a, int32_t b)
{
    return tg_add_s8_one((const tg_add_params *)params, a, b);
}

static int16_t add_one_s16(const void *params, int32_t a, int32_t b)
{
    return tg_add_sub_s16_one((const tg_add_params *)params, a, b, 1);
}

void tg_broadcast_add_s8(const tg_add_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
                         const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims,
                         int8_t *output)
{
    tg_broadcast_binary_s8(add_one, params, input_1_dims, input_1, input_2_dims, input_2, output_dims, output);
}

void tg_elementwise_add_s8(const int8_t *input_1_vect, const int8_t *input_2_vect, int32_t input_1_offset,
                           int32_t input_1_mult, int32_t input_1_shift, int32_t input_2_offset,
                           int32_t input_2_mult, int32_t input_2_shift, int32_t left_shift, int8_t *output,
                           int32_t out_offset, int32_t out_mult, int32_t out_shift,
                           int32_t out_activation_min, int32_t out_activation_max, int32_t block_size)
{
    const tg_add_params p = { input_1_offset, input_1_mult, input_1_shift, input_2_offset, input_2_mult,
                              input_2_shift, left_shift, out_offset, out_mult, out_shift,
                              { out_activation_min, out_activation_max } };
    const tg_dims flat = { 1, 1, 1, block_size };
    tg_broadcast_add_s8(&p, &flat, input_1_vect, &flat, input_2_vect, &flat, output);
}

void tg_broadcast_add_s16(const tg_add_params *params, const tg_dims *input_1_dims, const int16_t *input_1,
                          const tg_dims *input_2_dims, const int16_t *input_2, const tg_dims *output_dims,
                          int16_t *output)
{
    tg_broadcast_binary_s16(add_one_s16, params, input_1_dims, input_1, input_2_dims, input_2, output_dims, output);
}

void tg_elementwise_add_s16(const int16_t *input_1_vect, const int16_t *input_2_vect, int32_t input_1_offset,
                            int32_t input_1_mult, int32_t input_1_shift, int32_t input_2_offset,
                            int32_t input_2_mult, int32_t input_2_shift, int32_t left_shift, int16_t *output,
                            int32_t out_offset, int32_t out_mult, int32_t out_shift,
                            int32_t out_activation_min, int32_t out_activation_max, int32_t block_size)
{
    const tg_add_params p = { input_1_offset, input_1_mult, input_1_shift, input_2_offset, input_2_mult,
                              input_2_shift, left_shift, out_offset, out_mult, out_shift,
                              { out_activation_min, out_activation_max } };
    const tg_dims flat = { 1, 1, 1, block_size };
    tg_broadcast_add_s16(&p, &flat, input_1_vect, &flat, input_2_vect, &flat, output);
}

static float add_f32(const void *params, float a, float b)
{
    return tg_clamp_f32(a + b, *(const tg_activation_f32 *)params);
}

void tg_add_f32(const tg_activation_f32 *activation, const tg_dims *input_1_dims, const float *input_1,
                const tg_dims *input_2_dims, const float *input_2, const tg_dims *output_dims, float *output)
{
    tg_broadcast_binary_f32(add_f32, activation, input_1_dims, input_1, input_2_dims, input_2, output_dims, output);
}
