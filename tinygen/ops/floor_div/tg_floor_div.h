/* FLOOR_DIV and FLOOR_MOD kernels (tg_floor_div.c), float32, inputs broadcast. */
#ifndef TG_FLOOR_DIV_H
#define TG_FLOOR_DIV_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* *failed is set where TFLM's Invoke fails: some divisor (any element of input_2) is zero. */
void tg_floor_div_f32(const tg_dims *input_1_dims, const float *input_1, const tg_dims *input_2_dims,
                      const float *input_2, const tg_dims *output_dims, float *output, int32_t *failed);
void tg_floor_mod_f32(const tg_dims *input_1_dims, const float *input_1, const tg_dims *input_2_dims,
                      const float *input_2, const tg_dims *output_dims, float *output, int32_t *failed);

#ifdef __cplusplus
}
#endif

#endif
