/* EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL kernels (tg_comparison.c): one per operand type,
 * the comparison a parameter. */
#ifndef TG_COMPARISON_H
#define TG_COMPARISON_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Which outcomes hold: bit 0 where a < b, bit 1 where a == b, bit 2 where a > b (GREATER_EQUAL 0x6). */
    int32_t truth;
    /* int8 only: TFLM's rescale of each operand, ((x + offset) << left_shift) * mult * 2^shift. */
    int32_t left_shift;
    int32_t input_1_offset;
    int32_t input_1_mult;
    int32_t input_1_shift;
    int32_t input_2_offset;
    int32_t input_2_mult;
    int32_t input_2_shift;
} tg_comparison_params;

/* output = (input_1 <op> input_2) as bool bytes (0 or 1). Shapes NHWC-padded to rank 4; a dimension of an input
 * that is 1 where the output's is not is broadcast. _s8 compares the rescaled values, _s32 and _u8 (bool) the
 * stored ones. */
void tg_comparison_s8(const tg_comparison_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
                      const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims,
                      uint8_t *output);
void tg_comparison_s32(const tg_comparison_params *params, const tg_dims *input_1_dims, const int32_t *input_1,
                       const tg_dims *input_2_dims, const int32_t *input_2, const tg_dims *output_dims,
                       uint8_t *output);
void tg_comparison_u8(const tg_comparison_params *params, const tg_dims *input_1_dims, const uint8_t *input_1,
                      const tg_dims *input_2_dims, const uint8_t *input_2, const tg_dims *output_dims,
                      uint8_t *output);

#ifdef __cplusplus
}
#endif

#endif
