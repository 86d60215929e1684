/* LEAKY_RELU, int8 and int16: TFLite's reference QuantizeLeakyRelu. */
#include "tg_leaky_relu.h"

#include "tg_math.h"

/* One value, before the clamp to the output type. */
static inline int32_t leaky_relu(const tg_leaky_relu_params *params, int32_t q)
{
    const int32_t x = q - params->input_zero_point;
    if (x >= 0) {
        return params->output_zero_point + tg_requantize(x, params->identity_multiplier, params->identity_shift);
    }
    const int32_t scaled = tg_requantize(x, params->alpha_multiplier, params->alpha_shift);
    return params->output_zero_point + (params->alpha_negative ? -scaled : scaled);
}

void tg_leaky_relu_s8(const tg_leaky_relu_params *params, const int8_t *input, int32_t size, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t r = leaky_relu(params, input[i]);
        output[i] = (int8_t)TG_CLAMP(r, INT8_MIN, INT8_MAX);
    }
}

void tg_leaky_relu_s16(const tg_leaky_relu_params *params, const int16_t *input, int32_t size, int16_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t r = leaky_relu(params, input[i]);
        output[i] = (int16_t)TG_CLAMP(r, INT16_MIN, INT16_MAX);
    }
}

/* float32: TFLite's reference LeakyRelu, val > 0 ? val : val * alpha (alpha may be above 1 or negative). */
void tg_leaky_relu_f32(const float *input, int32_t size, float alpha, float *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const float val = input[i];
        output[i] = val > 0 ? val : val * alpha;
    }
}
