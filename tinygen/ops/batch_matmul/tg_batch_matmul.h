/* BATCH_MATMUL kernel (tg_batch_matmul.c). */
#ifndef TG_BATCH_MATMUL_H
#define TG_BATCH_MATMUL_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t batches[3];
    int32_t lhs_batch_strides[3], rhs_batch_strides[3]; /* 0: broadcast */
    int32_t rows, cols, depth;
    int32_t lhs_row_stride, lhs_depth_stride; /* either operand read in place, transposed or not */
    int32_t rhs_depth_stride, rhs_col_stride;
    int32_t lhs_offset, rhs_offset, output_offset;
    int32_t multiplier, shift;
} tg_batch_matmul_params;

void tg_batch_matmul_s8(const tg_batch_matmul_params *params, const int8_t *lhs, const int8_t *rhs, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif
