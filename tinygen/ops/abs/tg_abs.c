/* ABS, int8: TFLite Micro's AbsEvalQuantized (rescale the magnitude, then clamp); float32: fabsf. */
#include <math.h>

#include "tg_abs.h"
#include "tg_math.h"

void tg_abs_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier, int32_t shift,
               int32_t output_zero_point, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t x = input[i] - input_zero_point;
        const int32_t r = output_zero_point + tg_requantize(x < 0 ? -x : x, multiplier, shift);
        output[i] = (int8_t)TG_CLAMP(r, INT8_MIN, INT8_MAX);
    }
}

/* float32: TFLM's std::abs of a float (fabsf). */
void tg_abs_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, fabsf);
}
