/* LOG_SOFTMAX kernel (tg_log_softmax.c). */
#ifndef TG_LOG_SOFTMAX_H
#define TG_LOG_SOFTMAX_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TFLM's precomputed parameters (LogSoftmaxOpData): the Q5.26 input rescale, its inverse, and diff_min. */
typedef struct {
    int32_t input_multiplier;
    int32_t input_left_shift;
    int32_t reverse_scaling_divisor;
    int32_t reverse_scaling_shift;  /* TFLM's -reverse_scaling_right_shift: <= 0, a right shift */
    int32_t diff_min;
} tg_log_softmax_params;

/* log(softmax(row)) of each of `rows` rows of `depth` int8 values, int8 out at scale 16/256, zero point 127. */
void tg_log_softmax_s8(const tg_log_softmax_params *params, const int8_t *input, int32_t rows, int32_t depth,
                       int8_t *output);

#ifdef __cplusplus
}
#endif

#endif
