/* SQUARED_DIFFERENCE kernel (tg_squared_difference.c): ADD's parameter struct (tg_add_params). */
#ifndef TG_SQUARED_DIFFERENCE_H
#define TG_SQUARED_DIFFERENCE_H

#include <stdint.h>

#include "tg_add.h"
#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* output = (input_1 - input_2)², each input rescaled first. Shapes NHWC-padded to rank 4; a dimension of an input
 * that is 1 where the output's is not is broadcast. */
void tg_squared_difference_s8(const tg_add_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
                              const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims,
                              int8_t *output);
void tg_squared_difference_f32(const tg_dims *input_1_dims, const float *input_1, const tg_dims *input_2_dims,
                               const float *input_2, const tg_dims *output_dims, float *output);

#ifdef __cplusplus
}
#endif

#endif
