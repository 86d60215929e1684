/* RELU / RELU6, int8: TFLite Micro's ReluQuantized (rescale, then clamp) and Relu6Quantized (clamp only, in
 * the input's quantization). */
#include "tg_math.h"
#include "tg_relu.h"

void tg_relu_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier, int32_t shift,
                int32_t output_zero_point, int32_t act_min, int32_t act_max, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t r = output_zero_point + tg_requantize(input[i] - input_zero_point, multiplier, shift);
        output[i] = (int8_t)TG_CLAMP(r, act_min, act_max);
    }
}

void tg_relu6_s8(const int8_t *input, int32_t size, int8_t lower, int8_t upper, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int8_t v = input[i];
        output[i] = v > upper ? upper : (v < lower ? lower : v);
    }
}

/* float32: TFLM's ReluFloat and Relu6Float, in their comparison order (a NaN passes through). */
static float relu_f32(float x)
{
    return x < 0.0f ? 0.0f : x;
}

static float relu6_f32(float x)
{
    return x > 6.0f ? 6.0f : x < 0.0f ? 0.0f : x;
}

void tg_relu_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, relu_f32);
}

void tg_relu6_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, relu6_f32);
}
