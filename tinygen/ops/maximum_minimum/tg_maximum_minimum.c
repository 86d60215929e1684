/* MAXIMUM / MINIMUM, int8, int16, int32 and float32: TFLite's reference MaximumMinimumBroadcastSlow with TFLM's
 * MaximumOp (el1 > el2 ? el1 : el2) and MinimumOp (el1 < el2 ? el1 : el2): stored values compared as they are,
 * and for floats in that order, so a NaN second operand, or a tie of -0.0 and 0.0, gives the second. */
#include "tg_maximum_minimum.h"

#include "tg_broadcast.h"

#define TG_LARGER(a, b) ((a) > (b) ? (a) : (b))
#define TG_SMALLER(a, b) ((a) < (b) ? (a) : (b))

void tg_maximum_s8(const tg_dims *input_1_dims, const int8_t *input_1, const tg_dims *input_2_dims,
                   const int8_t *input_2, const tg_dims *output_dims, int8_t *output)
{
    TG_BROADCAST_BINARY_WALK(int8_t, int8_t, TG_LARGER);
}

void tg_minimum_s8(const tg_dims *input_1_dims, const int8_t *input_1, const tg_dims *input_2_dims,
                   const int8_t *input_2, const tg_dims *output_dims, int8_t *output)
{
    TG_BROADCAST_BINARY_WALK(int8_t, int8_t, TG_SMALLER);
}

void tg_maximum_s16(const tg_dims *input_1_dims, const int16_t *input_1, const tg_dims *input_2_dims,
                    const int16_t *input_2, const tg_dims *output_dims, int16_t *output)
{
    TG_BROADCAST_BINARY_WALK(int16_t, int16_t, TG_LARGER);
}

void tg_minimum_s16(const tg_dims *input_1_dims, const int16_t *input_1, const tg_dims *input_2_dims,
                    const int16_t *input_2, const tg_dims *output_dims, int16_t *output)
{
    TG_BROADCAST_BINARY_WALK(int16_t, int16_t, TG_SMALLER);
}

void tg_maximum_s32(const tg_dims *input_1_dims, const int32_t *input_1, const tg_dims *input_2_dims,
                    const int32_t *input_2, const tg_dims *output_dims, int32_t *output)
{
    TG_BROADCAST_BINARY_WALK(int32_t, int32_t, TG_LARGER);
}

void tg_minimum_s32(const tg_dims *input_1_dims, const int32_t *input_1, const tg_dims *input_2_dims,
                    const int32_t *input_2, const tg_dims *output_dims, int32_t *output)
{
    TG_BROADCAST_BINARY_WALK(int32_t, int32_t, TG_SMALLER);
}

void tg_maximum_f32(const tg_dims *input_1_dims, const float *input_1, const tg_dims *input_2_dims,
                    const float *input_2, const tg_dims *output_dims, float *output)
{
    TG_BROADCAST_BINARY_WALK(float, float, TG_LARGER);
}

void tg_minimum_f32(const tg_dims *input_1_dims, const float *input_1, const tg_dims *input_2_dims,
                    const float *input_2, const tg_dims *output_dims, float *output)
{
    TG_BROADCAST_BINARY_WALK(float, float, TG_SMALLER);
}
