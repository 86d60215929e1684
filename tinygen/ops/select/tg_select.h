/* SELECT_V2 kernels (tg_select.c): a bool condition picks each element from x or y. */
#ifndef TG_SELECT_H
#define TG_SELECT_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* output = condition ? x : y, element by element. Shapes NHWC-padded to rank 4; a dimension of an operand that
 * is 1 where the output's is not is broadcast. */
void tg_select_s8(const tg_dims *condition_dims, const uint8_t *condition, const tg_dims *x_dims, const int8_t *x,
                  const tg_dims *y_dims, const int8_t *y, const tg_dims *output_dims, int8_t *output);
void tg_select_s16(const tg_dims *condition_dims, const uint8_t *condition, const tg_dims *x_dims,
                   const int16_t *x, const tg_dims *y_dims, const int16_t *y, const tg_dims *output_dims,
                   int16_t *output);
void tg_select_f32(const tg_dims *condition_dims, const uint8_t *condition, const tg_dims *x_dims, const float *x,
                   const tg_dims *y_dims, const float *y, const tg_dims *output_dims, float *output);

#ifdef __cplusplus
}
#endif

#endif
