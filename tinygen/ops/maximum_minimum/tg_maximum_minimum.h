/* MAXIMUM / MINIMUM kernels (tg_maximum_minimum.c). */
#ifndef TG_MAXIMUM_MINIMUM_H
#define TG_MAXIMUM_MINIMUM_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The larger (smaller) stored value of each pair (int8, int16, int32, float32). Shapes NHWC-padded to rank 4; a
 * dimension of an input that is 1 where the output's is not is broadcast. */
void tg_maximum_s8(const tg_dims *input_1_dims, const int8_t *input_1, const tg_dims *input_2_dims,
                   const int8_t *input_2, const tg_dims *output_dims, int8_t *output);
void tg_minimum_s8(const tg_dims *input_1_dims, const int8_t *input_1, const tg_dims *input_2_dims,
                   const int8_t *input_2, const tg_dims *output_dims, int8_t *output);
void tg_maximum_s16(const tg_dims *input_1_dims, const int16_t *input_1, const tg_dims *input_2_dims,
                    const int16_t *input_2, const tg_dims *output_dims, int16_t *output);
void tg_minimum_s16(const tg_dims *input_1_dims, const int16_t *input_1, const tg_dims *input_2_dims,
                    const int16_t *input_2, const tg_dims *output_dims, int16_t *output);
void tg_maximum_s32(const tg_dims *input_1_dims, const int32_t *input_1, const tg_dims *input_2_dims,
                    const int32_t *input_2, const tg_dims *output_dims, int32_t *output);
void tg_minimum_s32(const tg_dims *input_1_dims, const int32_t *input_1, const tg_dims *input_2_dims,
                    const int32_t *input_2, const tg_dims *output_dims, int32_t *output);
void tg_maximum_f32(const tg_dims *input_1_dims, const float *input_1, const tg_dims *input_2_dims,
                    const float *input_2, const tg_dims *output_dims, float *output);
void tg_minimum_f32(const tg_dims *input_1_dims, const float *input_1, const tg_dims *input_2_dims,
                    const float *input_2, const tg_dims *output_dims, float *output);

#ifdef __cplusplus
}
#endif

#endif
