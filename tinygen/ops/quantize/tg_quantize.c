/* QUANTIZE: TFLite reference AffineQuantize (float32 -> int8) and Requantize (int8 -> int8). */
#include "tg_math.h"
#include "tg_quantize.h"

void tg_quantize_f32_s8(const float *input, int32_t size, float scale, int32_t zero_point, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        /* TFLM: (int32)round(x / scale) + zero_point in int32, clamped. Where TFLM's reference runs (x86), a
         * quotient beyond int32 (or NaN) converts to INT32_MIN, which a negative zero point wraps around to
         * a large positive sum: such inputs give -128, or 127 when zero_point < 0. */
        const float q = input[i] / scale;
        if (!(q > -2147483648.0f && q < 2147483648.0f)) {
            output[i] = zero_point < 0 ? 127 : -128;
            continue;
        }
        int32_t r = (int32_t)q;  /* toward zero; q - r is exact (q has no fraction beyond 2^23) */
        const float frac = q - (float)r;
        r += frac >= 0.5f ? 1 : (frac <= -0.5f ? -1 : 0);  /* halves away from zero, as std::round */
        r += zero_point;  /* |r| <= 2^31 - 128 here: no overflow */
        output[i] = (int8_t)TG_CLAMP(r, -128, 127);
    }
}

void tg_requantize_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                      int32_t shift, int32_t output_zero_point, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t r = tg_requantize(input[i] - input_zero_point, multiplier, shift) + output_zero_point;
        output[i] = (int8_t)TG_CLAMP(r, -128, 127);
    }
}
