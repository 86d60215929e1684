/* LEAKY_RELU, int8: TFLite's reference QuantizeLeakyRelu. */
#include "tg_leaky_relu.h"

#include "tg_math.h"

void tg_leaky_relu_s8(const tg_leaky_relu_params *params, const int8_t *input, int32_t size, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t x = input[i] - params->input_zero_point;
        int32_t r = params->output_zero_point;
        if (x >= 0) {
            r += tg_requantize(x, params->identity_multiplier, params->identity_shift);
        } else {
            const int32_t scaled = tg_requantize(x, params->alpha_multiplier, params->alpha_shift);
            r += params->alpha_negative ? -scaled : scaled;
        }
        output[i] = (int8_t)TG_CLAMP(r, INT8_MIN, INT8_MAX);
    }
}
