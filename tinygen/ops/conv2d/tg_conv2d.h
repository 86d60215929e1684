/* CONV_2D kernels (tg_conv2d.c), CMSIS-NN's arguments; the fused and in-place forms are tinygen's own. */
#ifndef TG_CONV2D_H
#define TG_CONV2D_H

#include <stdint.h>

#include "tg_common.h"
#include "tg_add.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CONV_2D (tg_conv2d.c): filter OHWI, filter_dims = {out_c, kh, kw, in_c} ---- */
void tg_convolve_s8(const tg_context *ctx, const tg_conv_params *conv_params,
                    const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                    const int8_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                    const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                    int8_t *output_data);

/* int4 weights (tg_conv2d.c): filter_data packed as TFLM packs INT4 (kernels/tg_int4.h); ctx->buf holds four
 * unpacked filters (4 * kh * kw * in_c bytes). */
void tg_convolve_s4(const tg_context *ctx, const tg_conv_params *conv_params,
                    const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                    const int8_t *input_data, const tg_dims *filter_dims, const int8_t *packed_filter_data,
                    const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                    int8_t *output_data);

/* 16x8 (tg_conv2d.c): int16 activations with zero points 0; int64 bias and accumulator, or _acc32: int32 ones. */
void tg_convolve_s16(const tg_context *ctx, const tg_conv_params *conv_params,
                     const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                     const int16_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                     const tg_dims *bias_dims, const int64_t *bias_data, const tg_dims *output_dims,
                     int16_t *output_data);
void tg_convolve_s16_acc32(const tg_context *ctx, const tg_conv_params *conv_params,
                           const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                           const int16_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                           const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                           int16_t *output_data);

/* CONV_2D then ADD(conv output, residual), one pass (tg_conv2d.c): the ADD's operand order is folded into
 * add_params (input 1 = the convolution). output_data may be residual itself. */
void tg_convolve_add_s8(const tg_context *ctx, const tg_conv_params *conv_params,
                        const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                        const int8_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                        const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                        const tg_add_params *add_params, const int8_t *residual, int8_t *output_data);

/* 1x1 CONV_2D, stride 1, no padding, one group, pixel by pixel (tg_conv2d.c): output_data may be input_data.
 * ctx->buf holds one output pixel (out_c bytes). kernel_sums[o] = bias[o] + input_offset * sum of filter row o. */
void tg_convolve_1x1_inplace_s8(const tg_context *ctx, const tg_conv_params *conv_params,
                                const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                                const int8_t *input_data, const tg_dims *filter_dims,
                                const int8_t *filter_data, const tg_dims *bias_dims,
                                const int32_t *kernel_sums, const tg_dims *output_dims, int8_t *output_data);

/* float32: TFLM's reference Conv<float> (groups as there); filter [out_c][kh][kw][filter_c]; bias may be NULL. */
typedef struct {
    tg_dims input;
    tg_dims filter;
    tg_dims output;
    tg_tile stride;
    tg_tile padding;
    tg_tile dilation;
    tg_activation_f32 activation;
} tg_conv_f32_params;
void tg_convolve_f32(const tg_conv_f32_params *p, const float *input, const float *filter, const float *bias,
                     float *output);

#ifdef __cplusplus
}
#endif

#endif
