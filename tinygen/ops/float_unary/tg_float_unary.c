/* float32 elementwise operators: each output is its input's value under one function, as TFLM computes it. */
#include <math.h>

#include "tg_float_unary.h"

/* reference_ops::RoundToNearest: round half to even, from floorf (not C's roundf, which rounds half away). */
static float round_to_nearest(float value)
{
    const float floor_value = floorf(value);
    const float diff = value - floor_value;
    const int tie = diff >= 0.5f && diff <= 0.5f; /* diff == 0.5f, spelled so that -Wfloat-equal stays quiet */
    if (diff < 0.5f || (tie && (int32_t)floor_value % 2 == 0)) {
        return floor_value;
    }
    return floor_value + 1.0f;
}

static float square(float value)
{
    return value * value;
}

void tg_ceil_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, ceilf);
}

void tg_floor_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, floorf);
}

void tg_round_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, round_to_nearest);
}

void tg_sin_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, sinf);
}

void tg_cos_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, cosf);
}

void tg_exp_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, expf);
}

void tg_log_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, logf);
}

void tg_sqrt_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, sqrtf);
}

void tg_square_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, square);
}
