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

#ifdef __cplusplus
}
#endif

#endif
