/* float32 elementwise operators (tg_float_unary.c): TFLM's float kernels of elementwise.cc, floor.cc, ceil.cc,
 * round.cc and exp.cc, one C library call (or one operation) per value in the same float precision. */
#ifndef TG_FLOAT_UNARY_H
#define TG_FLOAT_UNARY_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

void tg_ceil_f32(const float *input, int32_t size, float *output);
void tg_floor_f32(const float *input, int32_t size, float *output);
void tg_round_f32(const float *input, int32_t size, float *output);
void tg_sin_f32(const float *input, int32_t size, float *output);
void tg_cos_f32(const float *input, int32_t size, float *output);
void tg_exp_f32(const float *input, int32_t size, float *output);
void tg_log_f32(const float *input, int32_t size, float *output);
void tg_sqrt_f32(const float *input, int32_t size, float *output);
void tg_square_f32(const float *input, int32_t size, float *output);

#ifdef __cplusplus
}
#endif

#endif
