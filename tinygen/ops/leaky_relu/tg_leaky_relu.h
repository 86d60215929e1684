/* LEAKY_RELU kernel (tg_leaky_relu.c). */
#ifndef TG_LEAKY_RELU_H
#define TG_LEAKY_RELU_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TFLite's LeakyReluParams, quantized: inputs at or above the zero point are scaled by the identity
 * multiplier, those below by alpha's magnitude, negated for a negative alpha. */
typedef struct {
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t identity_multiplier;
    int32_t identity_shift;
    int32_t alpha_multiplier;
    int32_t alpha_shift;
    int32_t alpha_negative;
} tg_leaky_relu_params;

void tg_leaky_relu_s8(const tg_leaky_relu_params *params, const int8_t *input, int32_t size, int8_t *output);
void tg_leaky_relu_s16(const tg_leaky_relu_params *params, const int16_t *input, int32_t size, int16_t *output);

void tg_leaky_relu_f32(const float *input, int32_t size, float alpha, float *output);

#ifdef __cplusplus
}
#endif

#endif
