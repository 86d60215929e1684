/* DEQUANTIZE, int8 or int16 -> float32: TFLite reference Dequantize, (float)(double(scale) * (q - zero_point)).
 * The double product of a float and an integer of at most 17 bits is exact, so rounding it to float equals the
 * one correctly rounded float product computed here: same bits, no double arithmetic on the target. */
#include "tg_dequantize.h"

void tg_dequantize_s8_f32(const int8_t *input, int32_t size, float scale, int32_t zero_point, float *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = scale * (float)(input[i] - zero_point);
    }
}

void tg_dequantize_s16_f32(const int16_t *input, int32_t size, float scale, int32_t zero_point, float *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = scale * (float)(input[i] - zero_point);
    }
}
