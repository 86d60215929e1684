/* MUL kernels (tg_mul.c). */
#ifndef TG_MUL_H
#define TG_MUL_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- MUL (tg_mul.c): same-shape form as CMSIS-NN's arm_elementwise_mul_s8, and a broadcasting form ---- */
void tg_elementwise_mul_s8(const int8_t *input_1_vect, const int8_t *input_2_vect, int32_t input_1_offset,
                           int32_t input_2_offset, int8_t *output, int32_t out_offset, int32_t out_mult,
                           int32_t out_shift, int32_t out_activation_min, int32_t out_activation_max,
                           int32_t block_size);
typedef struct {
    int32_t input_1_offset; /* -zero point */
    int32_t input_2_offset;
    int32_t out_offset; /* +zero point */
    int32_t out_mult;
    int32_t out_shift;
    tg_activation activation;
} tg_mul_params;
void tg_broadcast_mul_s8(const tg_mul_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
                         const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims,
                         int8_t *output);

/* 16x8: the same arithmetic on int16 (TFLM requires zero points 0, so the offsets are 0). */
void tg_elementwise_mul_s16(const int16_t *input_1_vect, const int16_t *input_2_vect, int32_t input_1_offset,
                            int32_t input_2_offset, int16_t *output, int32_t out_offset, int32_t out_mult,
                            int32_t out_shift, int32_t out_activation_min, int32_t out_activation_max,
                            int32_t block_size);
void tg_broadcast_mul_s16(const tg_mul_params *params, const tg_dims *input_1_dims, const int16_t *input_1,
                          const tg_dims *input_2_dims, const int16_t *input_2, const tg_dims *output_dims,
                          int16_t *output);

/* float32: TFLM's reference float a * b, then the fused activation's clamp; inputs broadcast. */
void tg_mul_f32(const tg_activation_f32 *activation, const tg_dims *input_1_dims, const float *input_1,
                const tg_dims *input_2_dims, const float *input_2, const tg_dims *output_dims, float *output);

#ifdef __cplusplus
}
#endif

#endif
