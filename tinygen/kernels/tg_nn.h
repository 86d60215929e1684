/* tinygen's portable int8 kernels. Bit-exact with TensorFlow Lite Micro's reference kernels.
 *
 * Kernels that CMSIS-NN also has take CMSIS-NN's arguments in CMSIS-NN's order (see tg_types.h), so the
 * generated model can call either library. One .c file per operator: tg_<operator>.c.
 */
#ifndef TG_NN_H
#define TG_NN_H

#include <stdint.h>

#include "tg_types.h"

#if defined(__GNUC__) || defined(__clang__)
#define TG_ALIGNED(n) __attribute__((aligned(n)))
#else
#define TG_ALIGNED(n)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The taps [*lo, *hi) of a k-tap window, dilation dil, starting at origin, that land inside [0, size): the
 * padding taps outside contribute nothing (shared by the convolution and pooling kernels). */
static inline void tg_window_taps(int32_t origin, int32_t k, int32_t dil, int32_t size, int32_t *lo, int32_t *hi)
{
    const int32_t end = size - origin; /* tap t is inside when origin + t * dil is in [0, size) */
    const int32_t first = origin < 0 ? (-origin + dil - 1) / dil : 0;
    const int32_t last = end <= 0 ? 0 : (end + dil - 1) / dil;
    *lo = first;
    *hi = last < k ? last : k;
    if (*hi < *lo) {
        *hi = *lo;
    }
}

/* ---- FULLY_CONNECTED (tg_fully_connected.c): filter [out_depth][accum], filter_dims = {accum,1,1,out_depth} ---- */
tg_status tg_fully_connected_s8(const tg_context *ctx, const tg_fc_params *fc_params,
                                const tg_per_tensor_quant_params *quant_params, const tg_dims *input_dims,
                                const int8_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                                const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                                int8_t *output_data);
tg_status tg_fully_connected_per_channel_s8(const tg_context *ctx, const tg_fc_params *fc_params,
                                            const tg_per_channel_quant_params *quant_params,
                                            const tg_dims *input_dims, const int8_t *input_data,
                                            const tg_dims *filter_dims, const int8_t *filter_data,
                                            const tg_dims *bias_dims, const int32_t *bias_data,
                                            const tg_dims *output_dims, int8_t *output_data);

/* ---- CONV_2D (tg_conv2d.c): filter OHWI, filter_dims = {out_c, kh, kw, in_c} ---- */
tg_status tg_convolve_s8(const tg_context *ctx, const tg_conv_params *conv_params,
                         const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                         const int8_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                         const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                         int8_t *output_data);

/* ---- DEPTHWISE_CONV_2D (tg_depthwise_conv2d.c): filter [1][kh][kw][out_c], filter_dims = {1, kh, kw, out_c} ---- */
tg_status tg_depthwise_conv_s8(const tg_context *ctx, const tg_dw_conv_params *dw_conv_params,
                               const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                               const int8_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                               const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                               int8_t *output_data);

/* ---- AVERAGE_POOL_2D / MAX_POOL_2D (tg_average_pool2d.c, tg_max_pool2d.c): filter_dims = {1, kh, kw, 1} ---- */
tg_status tg_avgpool_s8(const tg_context *ctx, const tg_pool_params *pool_params, const tg_dims *input_dims,
                        const int8_t *input_data, const tg_dims *filter_dims, const tg_dims *output_dims,
                        int8_t *output_data);
tg_status tg_max_pool_s8(const tg_context *ctx, const tg_pool_params *pool_params, const tg_dims *input_dims,
                         const int8_t *input_data, const tg_dims *filter_dims, const tg_dims *output_dims,
                         int8_t *output_data);

/* ---- SOFTMAX (tg_softmax.c) ---- */
void tg_softmax_s8(const int8_t *input, int32_t num_rows, int32_t row_size, int32_t mult, int32_t shift,
                   int32_t diff_min, int8_t *output);

/* ---- ADD (tg_add.c): same-shape form as CMSIS-NN's arm_elementwise_add_s8, and a broadcasting form ---- */
tg_status tg_elementwise_add_s8(const int8_t *input_1_vect, const int8_t *input_2_vect, int32_t input_1_offset,
                                int32_t input_1_mult, int32_t input_1_shift, int32_t input_2_offset,
                                int32_t input_2_mult, int32_t input_2_shift, int32_t left_shift, int8_t *output,
                                int32_t out_offset, int32_t out_mult, int32_t out_shift,
                                int32_t out_activation_min, int32_t out_activation_max, int32_t block_size);

/* Shapes are NHWC-padded to rank 4; a dimension of an input that is 1 where the output's is not is broadcast. */
typedef struct {
    int32_t input_1_offset; /* -zero point */
    int32_t input_1_mult;
    int32_t input_1_shift;
    int32_t input_2_offset;
    int32_t input_2_mult;
    int32_t input_2_shift;
    int32_t left_shift;
    int32_t out_offset; /* +zero point */
    int32_t out_mult;
    int32_t out_shift;
    tg_activation activation;
} tg_add_params;
tg_status tg_broadcast_add_s8(const tg_add_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
                              const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims,
                              int8_t *output);

/* ---- MUL (tg_mul.c): same-shape form as CMSIS-NN's arm_elementwise_mul_s8, and a broadcasting form ---- */
tg_status tg_elementwise_mul_s8(const int8_t *input_1_vect, const int8_t *input_2_vect, int32_t input_1_offset,
                                int32_t input_2_offset, int8_t *output, int32_t out_offset, int32_t out_mult,
                                int32_t out_shift, int32_t out_activation_min, int32_t out_activation_max,
                                int32_t block_size);
typedef struct {
    int32_t input_1_offset; /* -zero point */
    int32_t input_2_offset;
    int32_t out_offset; /* +zero point */
    int32_t out_mult;
    int32_t out_shift;
    tg_activation activation;
} tg_mul_params;
tg_status tg_broadcast_mul_s8(const tg_mul_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
                              const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims,
                              int8_t *output);

/* ---- Other operators: each section is owned by its tg_<operator>.c ---- */

/* ---- CONCATENATION (tg_concatenation.c): CMSIS-NN's arm_concatenation_s8_{x,y,z,w}; tensors [w][z][y][x] ---- */
void tg_concatenation_s8_x(const int8_t *input, uint16_t input_x, uint16_t input_y, uint16_t input_z,
                           uint16_t input_w, int8_t *output, uint16_t output_x, uint32_t offset_x);
void tg_concatenation_s8_y(const int8_t *input, uint16_t input_x, uint16_t input_y, uint16_t input_z,
                           uint16_t input_w, int8_t *output, uint16_t output_y, uint32_t offset_y);
void tg_concatenation_s8_z(const int8_t *input, uint16_t input_x, uint16_t input_y, uint16_t input_z,
                           uint16_t input_w, int8_t *output, uint16_t output_z, uint32_t offset_z);
void tg_concatenation_s8_w(const int8_t *input, uint16_t input_x, uint16_t input_y, uint16_t input_z,
                           uint16_t input_w, int8_t *output, uint32_t offset_w);

/* ---- PAD / PADV2 (tg_pad.c): CMSIS-NN's arm_pad_s8 ---- */
tg_status tg_pad_s8(const int8_t *input, int8_t *output, int8_t pad_value, const tg_dims *input_size,
                    const tg_dims *pre_pad, const tg_dims *post_pad);

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

/* ---- QUANTIZE (tg_quantize.c): float32 -> int8, and int8 -> int8 rescale ---- */
void tg_quantize_f32_s8(const float *input, int32_t size, float scale, int32_t zero_point, int8_t *output);
void tg_requantize_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                      int32_t shift, int32_t output_zero_point, int8_t *output);

/* ---- DEQUANTIZE (tg_dequantize.c): int8 -> float32 ---- */
void tg_dequantize_s8_f32(const int8_t *input, int32_t size, float scale, int32_t zero_point, float *output);

/* ---- LOGISTIC / TANH (tg_logistic.c, tg_tanh.c): input rescaled to Q4.27 (multiplier, left shift); inputs
 * within radius of the zero point go through gemmlowp's fixed-point function, the rest saturate ---- */
void tg_logistic_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t input_range_radius,
                    int32_t input_multiplier, int32_t input_left_shift, int8_t *output);
void tg_tanh_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t input_range_radius,
                int32_t input_multiplier, int32_t input_left_shift, int8_t *output);

/* ---- RELU / RELU6 (tg_relu.c) ---- */
void tg_relu_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier, int32_t shift,
                int32_t output_zero_point, int32_t act_min, int32_t act_max, int8_t *output);
void tg_relu6_s8(const int8_t *input, int32_t size, int8_t lower, int8_t upper, int8_t *output);

/* ---- HARD_SWISH (tg_hard_swish.c): fields as TFLite's HardSwishParams ---- */
typedef struct {
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t reluish_multiplier_fixedpoint_int16; /* in_scale / 128 -> 3 / 32768, Q15 ... */
    int32_t reluish_multiplier_exponent;         /* ... times 2^exponent */
    int32_t output_multiplier_fixedpoint_int16;  /* in_scale / 128 -> out_scale, Q15 ... */
    int32_t output_multiplier_exponent;          /* ... times 2^exponent, <= 0 */
} tg_hard_swish_params;
void tg_hard_swish_s8(const tg_hard_swish_params *params, const int8_t *input, int32_t size, int8_t *output);

/* ---- In-place and fused forms (tinygen/inplace.py decides where they apply; no CMSIS-NN equivalents) ---- */

/* CONV_2D then ADD(conv output, residual), one pass (tg_conv2d.c): the ADD's operand order is folded into
 * add_params (input 1 = the convolution). output_data may be residual itself. */
tg_status tg_convolve_add_s8(const tg_context *ctx, const tg_conv_params *conv_params,
                             const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                             const int8_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                             const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                             const tg_add_params *add_params, const int8_t *residual, int8_t *output_data);

/* 1x1 CONV_2D, stride 1, no padding, one group, pixel by pixel (tg_conv2d.c): output_data may be input_data.
 * ctx->buf holds one output pixel (out_c bytes). kernel_sums[o] = bias[o] + input_offset * sum of filter row o. */
tg_status tg_convolve_1x1_inplace_s8(const tg_context *ctx, const tg_conv_params *conv_params,
                                     const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                                     const int8_t *input_data, const tg_dims *filter_dims,
                                     const int8_t *filter_data, const tg_dims *bias_dims,
                                     const int32_t *kernel_sums, const tg_dims *output_dims, int8_t *output_data);

/* DEPTHWISE_CONV_2D, multiplier 1, channel by channel through a copy of the channel's input plane
 * (tg_depthwise_conv2d.c): output_data may be input_data. ctx->buf holds in_h * in_w + k_h * k_w bytes. */
tg_status tg_depthwise_conv_inplace_s8(const tg_context *ctx, const tg_dw_conv_params *dw_conv_params,
                                       const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                                       const int8_t *input_data, const tg_dims *filter_dims,
                                       const int8_t *filter_data, const tg_dims *bias_dims,
                                       const int32_t *bias_data, const tg_dims *output_dims, int8_t *output_data);

#ifdef __cplusplus
}
#endif

#endif
