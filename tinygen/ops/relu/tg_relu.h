/* RELU / RELU6 kernels (tg_relu.c). */
#ifndef TG_RELU_H
#define TG_RELU_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- RELU / RELU6 (tg_relu.c) ---- */
void tg_relu_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier, int32_t shift,
                int32_t output_zero_point, int32_t act_min, int32_t act_max, int8_t *output);
void tg_relu6_s8(const int8_t *input, int32_t size, int8_t lower, int8_t upper, int8_t *output);

/* float32: TFLM's ReluFloat, Relu6Float. */
void tg_relu_f32(const float *input, int32_t size, float *output);
void tg_relu6_f32(const float *input, int32_t size, float *output);

#ifdef __cplusplus
}
#endif

#endif
