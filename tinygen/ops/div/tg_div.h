/* DIV kernel (tg_div.c): MUL's parameter struct (tg_mul_params). */
#ifndef TG_DIV_H
#define TG_DIV_H

#include <stdint.h>

#include "tg_common.h"
#include "tg_mul.h"

#ifdef __cplusplus
extern "C" {
#endif

/* output = input_1 / input_2, rescaled. Shapes NHWC-padded to rank 4; a dimension of an input that is 1 where the
 * output's is not is broadcast. */
void tg_div_s8(const tg_mul_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
               const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims, int8_t *output);

void tg_div_f32(const tg_activation_f32 *activation, const tg_dims *input_1_dims, const float *input_1,
                const tg_dims *input_2_dims, const float *input_2, const tg_dims *output_dims, float *output);

#ifdef __cplusplus
}
#endif

#endif
