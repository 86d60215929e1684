/* RSQRT kernels (tg_rsqrt.c). */
#ifndef TG_RSQRT_H
#define TG_RSQRT_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* output = 1 / sqrt(input - input_zero_point), rescaled by (multiplier, shift) = 1 / (sqrt(in_scale) * out_scale),
 * plus the output zero point, clamped. */
void tg_rsqrt_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier, int32_t shift,
                 int32_t output_zero_point, int8_t *output);
void tg_rsqrt_s16(const int16_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier, int32_t shift,
                  int32_t output_zero_point, int16_t *output);

void tg_rsqrt_f32(const float *input, int32_t size, float *output); /* float32 */

#ifdef __cplusplus
}
#endif

#endif
