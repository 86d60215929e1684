/* RSQRT, int8 and int16: TFLite Micro's RsqrtEvalQuantized (micro/kernels/elementwise.cc). */
#include <math.h>

#include "tg_fixedpoint.h"
#include "tg_math.h"
#include "tg_rsqrt.h"

#define RSQRT_SHIFT 20  /* TFLM's kShift: 1 / sqrt(value) is first taken as an integer times 2^20 */

/* One element, `lo`..`hi` the output type's range. A value at the zero point gives the maximum, as TFLM's.
 * Below it TFLM's Invoke fails ("Rsqrt is only defined for positive values"); the kernel has no error path
 * and returns the maximum there too (documented in the lowering). */
static int32_t rsqrt_one(int32_t value, int32_t multiplier, int32_t shift, int32_t output_zero_point, int32_t lo,
                         int32_t hi)
{
    if (value <= 0) {
        return hi;
    }
    int32_t inv_sqrt_multiplier;
    int32_t inv_sqrt_shift;
    tg_fp_inv_sqrt_multiplier_exp(value, &inv_sqrt_multiplier, &inv_sqrt_shift);
    const int32_t data = tg_requantize(1, inv_sqrt_multiplier, inv_sqrt_shift + RSQRT_SHIFT);
    const int32_t y = tg_requantize(data, multiplier, shift - RSQRT_SHIFT) + output_zero_point;
    return TG_CLAMP(y, lo, hi);
}

void tg_rsqrt_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier, int32_t shift,
                 int32_t output_zero_point, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = (int8_t)rsqrt_one(input[i] - input_zero_point, multiplier, shift, output_zero_point, INT8_MIN,
                                      INT8_MAX);
    }
}

void tg_rsqrt_s16(const int16_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier, int32_t shift,
                  int32_t output_zero_point, int16_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = (int16_t)rsqrt_one(input[i] - input_zero_point, multiplier, shift, output_zero_point, INT16_MIN,
                                       INT16_MAX);
    }
}

static float rsqrt_f32(float x)
{
    return 1.0f / sqrtf(x);
}

/* float32: TFLM's 1.f / std::sqrt(x), two correctly rounded operations. */
void tg_rsqrt_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, rsqrt_f32);
}
