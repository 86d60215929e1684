/* LOGICAL_AND, LOGICAL_OR, LOGICAL_NOT kernels (tg_logical.c): bool bytes (0 or 1) in and out. */
#ifndef TG_LOGICAL_H
#define TG_LOGICAL_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* output = input_1 && input_2 (||). Shapes NHWC-padded to rank 4; a dimension of an input that is 1 where the
 * output's is not is broadcast. */
void tg_logical_and_u8(const tg_dims *input_1_dims, const uint8_t *input_1, const tg_dims *input_2_dims,
                       const uint8_t *input_2, const tg_dims *output_dims, uint8_t *output);
void tg_logical_or_u8(const tg_dims *input_1_dims, const uint8_t *input_1, const tg_dims *input_2_dims,
                      const uint8_t *input_2, const tg_dims *output_dims, uint8_t *output);

/* output = !input over size elements (safe in place). */
void tg_logical_not_u8(const uint8_t *input, int32_t size, uint8_t *output);

#ifdef __cplusplus
}
#endif

#endif
