/* SUB, int8 and int16: TFLite reference SubElementwise / BroadcastQuantSubSlow. */
#include "tg_sub.h"

#include "tg_broadcast.h"

static int8_t sub_one(const void *params, int32_t a, int32_t b)
{
    return tg_add_sub_s8_one((const tg_add_params *)params, a, b, -1);
}

static int16_t sub_one_s16(const void *params, int32_t a, int32_t b)
{
    return tg_add_sub_s16_one((const tg_add_params *)params, a, b, -1);
}

void tg_sub_s8(const tg_add_params *params, const int8_t *input_1, const int8_t *input_2, int8_t *output,
               int32_t size)
{
    const tg_dims flat = {1, 1, 1, size};
    tg_broadcast_binary_s8(sub_one, params, &flat, input_1, &flat, input_2, &flat, output);
}

void tg_broadcast_sub_s8(const tg_add_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
                         const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims,
                         int8_t *output)
{
    tg_broadcast_binary_s8(sub_one, params, input_1_dims, input_1, input_2_dims, input_2, output_dims, output);
}

void tg_sub_s16(const tg_add_params *params, const int16_t *input_1, const int16_t *input_2, int16_t *output,
                int32_t size)
{
    const tg_dims flat = {1, 1, 1, size};
    tg_broadcast_binary_s16(sub_one_s16, params, &flat, input_1, &flat, input_2, &flat, output);
}

void tg_broadcast_sub_s16(const tg_add_params *params, const tg_dims *input_1_dims, const int16_t *input_1,
                          const tg_dims *input_2_dims, const int16_t *input_2, const tg_dims *output_dims,
                          int16_t *output)
{
    tg_broadcast_binary_s16(sub_one_s16, params, input_1_dims, input_1, input_2_dims, input_2, output_dims, output);
}

static float sub_f32(const void *params, float a, float b)
{
    return tg_clamp_f32(a - b, *(const tg_activation_f32 *)params);
}

void tg_sub_f32(const tg_activation_f32 *activation, const tg_dims *input_1_dims, const float *input_1,
                const tg_dims *input_2_dims, const float *input_2, const tg_dims *output_dims, float *output)
{
    tg_broadcast_binary_f32(sub_f32, activation, input_1_dims, input_1, input_2_dims, input_2, output_dims, output);
}
