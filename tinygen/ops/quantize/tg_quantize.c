/* QUANTIZE: TFLite reference AffineQuantize (float32 -> int8 or int16) and Requantize (between int8 and int16,
 * and from or to int32 with zero point 0).
 * One function per type pair, as TFLM's templates are instantiated; the arithmetic is shared below. */
#include "tg_math.h"
#include "tg_quantize.h"

/* TFLM: (int32)round(x / scale) + zero_point in int32, clamped to [lo, hi]. Where TFLM's reference runs (x86), a
 * quotient beyond int32 (or NaN) converts to INT32_MIN, which a negative zero point wraps around to a large
 * positive sum: such inputs give lo, or hi when zero_point < 0. */
static inline int32_t affine_quantize(float x, float scale, int32_t zero_point, int32_t lo, int32_t hi)
{
    const float q = x / scale;
    if (!(q > -2147483648.0f && q < 2147483648.0f)) {
        return zero_point < 0 ? hi : lo;
    }
    int32_t r = (int32_t)q;  /* toward zero; q - r is exact (q has no fraction beyond 2^23) */
    const float frac = q - (float)r;
    r += frac >= 0.5f ? 1 : (frac <= -0.5f ? -1 : 0);  /* halves away from zero, as std::round */
    r += zero_point;  /* |r| <= 2^31 - 32768 here: no overflow */
    return TG_CLAMP(r, lo, hi);
}

/* (q - input_zero_point) fits int32: int8 and int16 inputs, or int32 ones with zero point 0 (the lowering checks);
 * tg_requantize is MultiplyByQuantizedMultiplier. An int32 output has zero point 0 and needs no clamp. */
static inline int32_t requantize(int32_t q, int32_t input_zero_point, int32_t multiplier, int32_t shift,
                                 int32_t output_zero_point, int32_t lo, int32_t hi)
{
    const int32_t r = tg_requantize(q - input_zero_point, multiplier, shift) + output_zero_point;
    return TG_CLAMP(r, lo, hi);
}

void tg_quantize_f32_s8(const float *input, int32_t size, float scale, int32_t zero_point, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = (int8_t)affine_quantize(input[i], scale, zero_point, INT8_MIN, INT8_MAX);
    }
}

void tg_quantize_f32_s16(const float *input, int32_t size, float scale, int32_t zero_point, int16_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = (int16_t)affine_quantize(input[i], scale, zero_point, INT16_MIN, INT16_MAX);
    }
}

void tg_requantize_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                      int32_t shift, int32_t output_zero_point, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = (int8_t)requantize(input[i], input_zero_point, multiplier, shift, output_zero_point, INT8_MIN,
                                       INT8_MAX);
    }
}

void tg_requantize_s8_s16(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                          int32_t shift, int32_t output_zero_point, int16_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = (int16_t)requantize(input[i], input_zero_point, multiplier, shift, output_zero_point,
                                        INT16_MIN, INT16_MAX);
    }
}

void tg_requantize_s16_s8(const int16_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                          int32_t shift, int32_t output_zero_point, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = (int8_t)requantize(input[i], input_zero_point, multiplier, shift, output_zero_point, INT8_MIN,
                                       INT8_MAX);
    }
}

void tg_requantize_s16(const int16_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                       int32_t shift, int32_t output_zero_point, int16_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = (int16_t)requantize(input[i], input_zero_point, multiplier, shift, output_zero_point,
                                        INT16_MIN, INT16_MAX);
    }
}

void tg_requantize_s32_s8(const int32_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                          int32_t shift, int32_t output_zero_point, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = (int8_t)requantize(input[i], input_zero_point, multiplier, shift, output_zero_point, INT8_MIN,
                                       INT8_MAX);
    }
}

void tg_requantize_s32_s16(const int32_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                           int32_t shift, int32_t output_zero_point, int16_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = (int16_t)requantize(input[i], input_zero_point, multiplier, shift, output_zero_point,
                                        INT16_MIN, INT16_MAX);
    }
}

void tg_requantize_s8_s32(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                          int32_t shift, int32_t output_zero_point, int32_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = requantize(input[i], input_zero_point, multiplier, shift, output_zero_point, INT32_MIN,
                               INT32_MAX);
    }
}

void tg_requantize_s16_s32(const int16_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                           int32_t shift, int32_t output_zero_point, int32_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = requantize(input[i], input_zero_point, multiplier, shift, output_zero_point, INT32_MIN,
                               INT32_MAX);
    }
}

/* uint8 <-> int8 at the edges of older (TF1-style) models: TFLM's Requantize. Its fast path for equal scales and
 * zero points 128 apart (x ^ 0x80) gives what this formula gives. */
void tg_requantize_u8_s8(const uint8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                         int32_t shift, int32_t output_zero_point, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = (int8_t)requantize(input[i], input_zero_point, multiplier, shift, output_zero_point, INT8_MIN,
                                       INT8_MAX);
    }
}

void tg_requantize_s8_u8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                         int32_t shift, int32_t output_zero_point, uint8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = (uint8_t)requantize(input[i], input_zero_point, multiplier, shift, output_zero_point, 0,
                                        UINT8_MAX);
    }
}
