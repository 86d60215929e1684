/* SQUARED_DIFFERENCE, int8: TFLite Micro's quantized SquaredDifference. */
#include "tg_squared_difference.h"

#include "tg_broadcast.h"
#include "tg_math.h"

static int8_t squared_difference_one(const void *params, int32_t a, int32_t b)
{
    const tg_add_params *p = (const tg_add_params *)params;
    const int32_t scale = (int32_t)1 << p->left_shift;
    const int32_t x1 = tg_requantize((a + p->input_1_offset) * scale, p->input_1_mult, p->input_1_shift);
    const int32_t x2 = tg_requantize((b + p->input_2_offset) * scale, p->input_2_mult, p->input_2_shift);
    /* |x1 - x2| < 2^15 (each is at most 255 · 2^7 · 1/2), so the square fits int32. */
    const int32_t y = tg_requantize((x1 - x2) * (x1 - x2), p->out_mult, p->out_shift) + p->out_offset;
    return (int8_t)TG_CLAMP(y, p->activation.min, p->activation.max);
}

void tg_squared_difference_s8(const tg_add_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
                              const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims,
                              int8_t *output)
{
    tg_broadcast_binary_s8(squared_difference_one, params, input_1_dims, input_1, input_2_dims, input_2, output_dims,
                           output);
}

/* float32: TFLM's SquaredDifference<float>, (a - b) * (a - b) with the difference rounded first. */
static inline float squared_difference_f32(float a, float b)
{
    const float difference = a - b;
    return difference * difference;
}

TG_DEFINE_BINARY_WALK(tg_squared_difference_f32, float, squared_difference_f32)
