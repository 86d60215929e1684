/* SUB kernels (tg_sub.c): ADD's parameters (tg_add_params), the rescaled inputs subtracted. */
#ifndef TG_SUB_H
#define TG_SUB_H

#include <stdint.h>

#include "tg_add.h"
#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* output[i] = input_1[i] - input_2[i], all of `size` elements. */
void tg_sub_s8(const tg_add_params *params, const int8_t *input_1, const int8_t *input_2, int8_t *output,
               int32_t size);

/* Shapes NHWC-padded to rank 4; a dimension of an input that is 1 where the output's is not is broadcast. */
void tg_broadcast_sub_s8(const tg_add_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
                         const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims,
                         int8_t *output);
void tg_sub_s16(const tg_add_params *params, const int16_t *input_1, const int16_t *input_2, int16_t *output,
                int32_t size);
void tg_broadcast_sub_s16(const tg_add_params *params, const tg_dims *input_1_dims, const int16_t *input_1,
                          const tg_dims *input_2_dims, const int16_t *input_2, const tg_dims *output_dims,
                          int16_t *output);

/* float32: TFLM's reference float a - b, then the fused activation's clamp; inputs broadcast. */
void tg_sub_f32(const tg_activation_f32 *activation, const tg_dims *input_1_dims, const float *input_1,
                const tg_dims *input_2_dims, const float *input_2, const tg_dims *output_dims, float *output);

#ifdef __cplusplus
}
#endif

#endif
