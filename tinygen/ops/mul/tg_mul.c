/* MUL, int8 and int16 (zero points 0): TFLite reference integer_ops::Mul / BroadcastMul6DSlow (MulElementwise).
 * An int16 product (a * b, |a|, |b| <= 2^15) stays within int32 as an int8 one does. */
#include "tg_broadcast.h"
#include "tg_math.h"
#include "tg_mul.h"

static inline int32_t mul_one(const void *params, int32_t a, int32_t b)
{
    const tg_mul_params *p = (const tg_mul_params *)params;
    const int32_t prod = (a + p->input_1_offset) * (b + p->input_2_offset);
    const int32_t y = tg_requantize(prod, p->out_mult, p->out_shift) + p->out_offset;
    return TG_CLAMP(y, p->activation.min, p->activation.max);
}

static int8_t mul_one_s8(const void *params, int32_t a, int32_t b)
{
    return (int8_t)mul_one(params, a, b);
}

static int16_t mul_one_s16(const void *params, int32_t a, int32_t b)
{
    return (int16_t)mul_one(params, a, b);
}

/* The same-shape kernels walk one flat run of the broadcasting ones. */
#define TG_ELEMENTWISE_MUL_BODY(suffix)                                                                       \
    const tg_mul_params p = { input_1_offset, input_2_offset, out_offset, out_mult, out_shift,                \
                              { out_activation_min, out_activation_max } };                                   \
    const tg_dims flat = { 1, 1, 1, block_size };                                                             \
    tg_broadcast_mul_##suffix(&p, &flat, input_1_vect, &flat, input_2_vect, &flat, output);

void tg_broadcast_mul_s8(const tg_mul_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
                         const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims,
                         int8_t *output)
{
    tg_broadcast_binary_s8(mul_one_s8, params, input_1_dims, input_1, input_2_dims, input_2, output_dims, output);
}

void tg_elementwise_mul_s8(const int8_t *input_1_vect, const int8_t *input_2_vect, int32_t input_1_offset,
                           int32_t input_2_offset, int8_t *output, int32_t out_offset, int32_t out_mult,
                           int32_t out_shift, int32_t out_activation_min, int32_t out_activation_max,
                           int32_t block_size)
{
    TG_ELEMENTWISE_MUL_BODY(s8)
}

void tg_broadcast_mul_s16(const tg_mul_params *params, const tg_dims *input_1_dims, const int16_t *input_1,
                          const tg_dims *input_2_dims, const int16_t *input_2, const tg_dims *output_dims,
                          int16_t *output)
{
    tg_broadcast_binary_s16(mul_one_s16, params, input_1_dims, input_1, input_2_dims, input_2, output_dims,
                            output);
}

void tg_elementwise_mul_s16(const int16_t *input_1_vect, const int16_t *input_2_vect, int32_t input_1_offset,
                            int32_t input_2_offset, int16_t *output, int32_t out_offset, int32_t out_mult,
                            int32_t out_shift, int32_t out_activation_min, int32_t out_activation_max,
                            int32_t block_size)
{
    TG_ELEMENTWISE_MUL_BODY(s16)
}

#undef TG_ELEMENTWISE_MUL_BODY

static float mul_f32(const void *params, float a, float b)
{
    return tg_clamp_f32(a * b, *(const tg_activation_f32 *)params);
}

void tg_mul_f32(const tg_activation_f32 *activation, const tg_dims *input_1_dims, const float *input_1,
                const tg_dims *input_2_dims, const float *input_2, const tg_dims *output_dims, float *output)
{
    tg_broadcast_binary_f32(mul_f32, activation, input_1_dims, input_1, input_2_dims, input_2, output_dims, output);
}
