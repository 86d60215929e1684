/* FULLY_CONNECTED kernels (tg_fully_connected.c), CMSIS-NN's arguments. */
#ifndef TG_FULLY_CONNECTED_H
#define TG_FULLY_CONNECTED_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- FULLY_CONNECTED (tg_fully_connected.c): filter [out_depth][accum], filter_dims = {accum,1,1,out_depth} ---- */
void tg_fully_connected_s8(const tg_context *ctx, const tg_fc_params *fc_params,
                           const tg_per_tensor_quant_params *quant_params, const tg_dims *input_dims,
                           const int8_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                           const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                           int8_t *output_data);
void tg_fully_connected_per_channel_s8(const tg_context *ctx, const tg_fc_params *fc_params,
                                       const tg_per_channel_quant_params *quant_params,
                                       const tg_dims *input_dims, const int8_t *input_data,
                                       const tg_dims *filter_dims, const int8_t *filter_data,
                                       const tg_dims *bias_dims, const int32_t *bias_data,
                                       const tg_dims *output_dims, int8_t *output_data);
/* int4 weights, per tensor: filter_data packed as TFLM packs INT4 (kernels/tg_int4.h); ctx->buf holds one
 * unpacked row (accum bytes). */
void tg_fully_connected_s4(const tg_context *ctx, const tg_fc_params *fc_params,
                           const tg_per_tensor_quant_params *quant_params, const tg_dims *input_dims,
                           const int8_t *input_data, const tg_dims *filter_dims, const int8_t *packed_filter_data,
                           const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                           int8_t *output_data);
/* 16x8: int64 bias and accumulator; _acc32: int32 bias and accumulator (TFLM's two int16 paths). */
void tg_fully_connected_s16(const tg_context *ctx, const tg_fc_params *fc_params,
                            const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                            const int16_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                            const tg_dims *bias_dims, const int64_t *bias_data, const tg_dims *output_dims,
                            int16_t *output_data);
void tg_fully_connected_s16_acc32(const tg_context *ctx, const tg_fc_params *fc_params,
                                  const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                                  const int16_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                                  const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                                  int16_t *output_data);

/* float32: TFLM's reference FullyConnected<float>, filter [out_depth][accum]; bias may be NULL. */
typedef struct {
    int32_t batches;
    int32_t accum;
    int32_t out_depth;
    tg_activation_f32 activation;
} tg_fc_f32_params;
void tg_fully_connected_f32(const tg_fc_f32_params *p, const float *input, const float *filter, const float *bias,
                            float *output);

#ifdef __cplusplus
}
#endif

#endif
