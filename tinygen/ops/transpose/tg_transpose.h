/* TRANSPOSE kernel (tg_transpose.c). */
#ifndef TG_TRANSPOSE_H
#define TG_TRANSPOSE_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TG_TRANSPOSE_RANK 5

/* The output's extents, outermost first, and the input element stride each output axis steps by. */
typedef struct {
    int32_t dims[TG_TRANSPOSE_RANK];
    int32_t strides[TG_TRANSPOSE_RANK];
} tg_transpose_params;

/* Writes the output in order, reading the input through the strides. */
void tg_transpose_s8(const tg_transpose_params *params, const int8_t *input, int8_t *output);
void tg_transpose_s16(const tg_transpose_params *params, const int16_t *input, int16_t *output);
void tg_transpose_f32(const tg_transpose_params *params, const float *input, float *output);

#ifdef __cplusplus
}
#endif

#endif
