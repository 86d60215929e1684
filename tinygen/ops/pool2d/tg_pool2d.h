/* AVERAGE_POOL_2D and MAX_POOL_2D kernels (tg_average_pool2d.c, tg_max_pool2d.c), CMSIS-NN's arguments. */
#ifndef TG_POOL2D_H
#define TG_POOL2D_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- AVERAGE_POOL_2D / MAX_POOL_2D (tg_average_pool2d.c, tg_max_pool2d.c): filter_dims = {1, kh, kw, 1} ---- */
void tg_avgpool_s8(const tg_context *ctx, const tg_pool_params *pool_params, const tg_dims *input_dims,
                   const int8_t *input_data, const tg_dims *filter_dims, const tg_dims *output_dims,
                   int8_t *output_data);
void tg_max_pool_s8(const tg_context *ctx, const tg_pool_params *pool_params, const tg_dims *input_dims,
                    const int8_t *input_data, const tg_dims *filter_dims, const tg_dims *output_dims,
                    int8_t *output_data);
/* 16x8: the same on int16 (the average's int32 sum: windows of at most 65536 taps). */
void tg_avgpool_s16(const tg_context *ctx, const tg_pool_params *pool_params, const tg_dims *input_dims,
                    const int16_t *input_data, const tg_dims *filter_dims, const tg_dims *output_dims,
                    int16_t *output_data);
void tg_max_pool_s16(const tg_context *ctx, const tg_pool_params *pool_params, const tg_dims *input_dims,
                     const int16_t *input_data, const tg_dims *filter_dims, const tg_dims *output_dims,
                     int16_t *output_data);

/* float32: TFLM's reference AveragePool<float> / MaxPool<float> / L2Pool, window clipped to the input. */
typedef struct {
    tg_dims input;
    tg_dims output;
    tg_tile filter;
    tg_tile stride;
    tg_tile padding;
    tg_activation_f32 activation;
} tg_pool_f32_params;
void tg_avgpool_f32(const tg_pool_f32_params *p, const float *input, float *output);
void tg_max_pool_f32(const tg_pool_f32_params *p, const float *input, float *output);
void tg_l2_pool_f32(const tg_pool_f32_params *p, const float *input, float *output);

#ifdef __cplusplus
}
#endif

#endif
