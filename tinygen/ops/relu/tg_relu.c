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
