/* DEPTHWISE_CONV_2D kernels (tg_depthwise_conv2d.c), CMSIS-NN's arguments; the in-place form is tinygen's own. */
#ifndef TG_DEPTHWISE_CONV2D_H
#define TG_DEPTHWISE_CONV2D_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- DEPTHWISE_CONV_2D (tg_depthwise_conv2d.c): filter [1][kh][kw][out_c], filter_dims = {1, kh, kw, out_c} ---- */
void tg_depthwise_conv_s8(const tg_context *ctx, const tg_dw_conv_params *dw_conv_params,
                          const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                          const int8_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                          const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                          int8_t *output_data);

/* DEPTHWISE_CONV_2D, multiplier 1, channel by channel through a copy of the channel's input plane
 * (tg_depthwise_conv2d.c): output_data may be input_data. ctx->buf holds in_h * in_w + k_h * k_w bytes. */
void tg_depthwise_conv_inplace_s8(const tg_context *ctx, const tg_dw_conv_params *dw_conv_params,
                                  const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                                  const int8_t *input_data, const tg_dims *filter_dims,
                                  const int8_t *filter_data, const tg_dims *bias_dims,
                                  const int32_t *bias_data, const tg_dims *output_dims, int8_t *output_data);

/* int4 weights (tg_depthwise_conv2d.c): filter_data packed as TFLM packs INT4 (kernels/tg_int4.h); ctx->buf
 * holds the unpacked filter (kh * kw * out_c bytes). */
void tg_depthwise_conv_s4(const tg_context *ctx, const tg_dw_conv_params *dw_conv_params,
                          const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                          const int8_t *input_data, const tg_dims *filter_dims, const int8_t *packed_filter_data,
                          const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                          int8_t *output_data);

/* 16x8 (tg_depthwise_conv2d.c): int16 activations with zero points 0, int64 bias and accumulator. */
void tg_depthwise_conv_s16(const tg_context *ctx, const tg_dw_conv_params *dw_conv_params,
                           const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                           const int16_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                           const tg_dims *bias_dims, const int64_t *bias_data, const tg_dims *output_dims,
                           int16_t *output_data);

/* float32: TFLM's reference DepthwiseConv<float>; filter [1][kh][kw][out_c]; bias may be NULL. */
typedef struct {
    tg_dims input;
    tg_dims filter; /* {1, kh, kw, out_c} */
    tg_dims output;
    int32_t depth_multiplier;
    tg_tile stride;
    tg_tile padding;
    tg_tile dilation;
    tg_activation_f32 activation;
} tg_dw_conv_f32_params;
void tg_depthwise_conv_f32(const tg_dw_conv_f32_params *p, const float *input, const float *filter,
                           const float *bias, float *output);

#ifdef __cplusplus
}
#endif

#endif
