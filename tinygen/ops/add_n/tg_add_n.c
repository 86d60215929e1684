/* ADD_N, int8: TFLite's reference AddN (int8 overload). */
#include "tg_add_n.h"

#include "tg_math.h"

void tg_add_n_s8(const tg_add_n_params *params, const int8_t *const *inputs, int8_t *output)
{
    const tg_add_n_params *p = params;
    /* The reference's sum starts from its rescaled input offset (its "x = 0" is the offset). */
    const int32_t start = tg_requantize(p->input_offset * (1 << 20), p->input_mult, p->input_shift);
    for (int32_t i = 0; i < p->size; ++i) {
        int32_t sum = start;
        for (int32_t j = 0; j < p->count; ++j) {
            sum += tg_requantize((p->input_offset + inputs[j][i]) * (1 << 20), p->input_mult, p->input_shift);
        }
        const int32_t y = tg_requantize(sum, p->output_mult, p->output_shift) + p->output_offset;
        output[i] = (int8_t)TG_CLAMP(y, -128, 127);
    }
}

/* float32: TFLite's reference AddN<float>, each sum from 0.0f (so a lone -0.0f becomes +0.0f there too) in the
 * inputs' order. */
void tg_add_n_f32(int32_t size, int32_t count, const float *const *inputs, float *output)
{
    for (int32_t i = 0; i < size; ++i) {
        float x = 0.0f;
        for (int32_t j = 0; j < count; ++j) {
            x += inputs[j][i];
        }
        output[i] = x;
    }
}
