/* ABS kernel (tg_abs.c). */
#ifndef TG_ABS_H
#define TG_ABS_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

void tg_abs_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier, int32_t shift,
               int32_t output_zero_point, int8_t *output);

void tg_abs_f32(const float *input, int32_t size, float *output); /* float32 */

#ifdef __cplusplus
}
#endif

#endif
