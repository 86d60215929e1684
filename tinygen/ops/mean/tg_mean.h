/* MEAN and SUM kernels (tg_mean.c). */
#ifndef TG_MEAN_H
#define TG_MEAN_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- MEAN (tg_mean.c): output[k0][k1] = mean over i0, i1 of input[k0*os0 + k1*os1 + i0*is0 + i1*is1] ---- */
typedef struct {
    int32_t outer[2];        /* kept dimensions, outermost first (output order) */
    int32_t outer_stride[2]; /* their input strides, in elements */
    int32_t inner[2];        /* reduced dimensions */
    int32_t inner_stride[2];
    int32_t sum_offset;      /* -input zero point * number of reduced elements */
    int32_t multiplier;      /* in_scale / out_scale / count, with shift */
    int32_t shift;
    int32_t output_offset;   /* +output zero point */
} tg_mean_params;
void tg_mean_s8(const tg_mean_params *params, const int8_t *input, int8_t *output);
void tg_mean_s16(const tg_mean_params *params, const int16_t *input, int16_t *output);
/* float32 (TFLM's reference Mean / ReduceGeneric<float>): the float sum in the input's order, MEAN then divides
 * by count (the float32 value of the number of reduced elements); the integer fields of params are unused. */
void tg_mean_f32(const tg_mean_params *params, float count, const float *input, float *output);
void tg_sum_f32(const tg_mean_params *params, const float *input, float *output);

#ifdef __cplusplus
}
#endif

#endif
