/* BATCH_MATMUL, int8: TFLite's reference BatchMatMul as TFLM calls it, both operands read through strides. */
#include "tg_batch_matmul.h"

#include "tg_math.h"

void tg_batch_matmul_s8(const tg_batch_matmul_params *params, const int8_t *lhs, const int8_t *rhs, int8_t *output)
{
    const tg_batch_matmul_params *p = params;
    for (int32_t b0 = 0; b0 < p->batches[0]; ++b0) {
        for (int32_t b1 = 0; b1 < p->batches[1]; ++b1) {
            for (int32_t b2 = 0; b2 < p->batches[2]; ++b2) {
                const int8_t *l = lhs + b0 * p->lhs_batch_strides[0] + b1 * p->lhs_batch_strides[1] +
                                  b2 * p->lhs_batch_strides[2];
                const int8_t *r = rhs + b0 * p->rhs_batch_strides[0] + b1 * p->rhs_batch_strides[1] +
                                  b2 * p->rhs_batch_strides[2];
                for (int32_t i = 0; i < p->rows; ++i) {
                    for (int32_t j = 0; j < p->cols; ++j) {
                        const int8_t *a = l + i * p->lhs_row_stride, *w = r + j * p->rhs_col_stride;
                        int32_t acc = 0;
                        for (int32_t k = 0; k < p->depth; ++k) {
                            acc += ((int32_t)a[k * p->lhs_depth_stride] + p->lhs_offset) *
                                   ((int32_t)w[k * p->rhs_depth_stride] + p->rhs_offset);
                        }
                        const int32_t v = tg_requantize(acc, p->multiplier, p->shift) + p->output_offset;
                        *output++ = (int8_t)TG_CLAMP(v, -128, 127);
                    }
                }
            }
        }
    }
}
