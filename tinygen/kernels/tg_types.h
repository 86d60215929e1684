/* tinygen kernel types.
 *
 * Field for field the same layout as CMSIS-NN's arm_nn_types.h, so one generated model.c can call either
 * tinygen's portable kernels or CMSIS-NN. With TINYGEN_USE_CMSIS_NN the names below are CMSIS-NN's own types.
 */
#ifndef TG_TYPES_H
#define TG_TYPES_H

#include <stdint.h>

#if defined(TINYGEN_USE_CMSIS_NN)
#include "arm_nnfunctions.h" /* its types, and the kernels the cmsis-nn backend calls (tinygen/backends/cmsis_nn.py) */
typedef cmsis_nn_tile tg_tile;
typedef cmsis_nn_context tg_context;
typedef cmsis_nn_dims tg_dims;
typedef cmsis_nn_per_channel_quant_params tg_per_channel_quant_params;
typedef cmsis_nn_per_tensor_quant_params tg_per_tensor_quant_params;
typedef cmsis_nn_activation tg_activation;
typedef cmsis_nn_conv_params tg_conv_params;
typedef cmsis_nn_dw_conv_params tg_dw_conv_params;
typedef cmsis_nn_pool_params tg_pool_params;
typedef cmsis_nn_fc_params tg_fc_params;
#define TG_SUCCESS ARM_CMSIS_NN_SUCCESS /* what the generated code compares CMSIS-NN's statuses with */
#else
typedef struct { int32_t w; int32_t h; } tg_tile;
typedef struct { void *buf; int32_t size; } tg_context;
/* n: batch (or output channels of a filter), h, w, c: NHWC. */
typedef struct { int32_t n; int32_t h; int32_t w; int32_t c; } tg_dims;
typedef struct { int32_t *multiplier; int32_t *shift; } tg_per_channel_quant_params;
typedef struct { int32_t multiplier; int32_t shift; } tg_per_tensor_quant_params;
typedef struct { int32_t min; int32_t max; } tg_activation;
typedef struct {
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* +output zero point */
    tg_tile stride;
    tg_tile padding;
    tg_tile dilation;
    tg_activation activation;
} tg_conv_params;
typedef struct {
    int32_t input_offset;
    int32_t output_offset;
    int32_t ch_mult;
    tg_tile stride;
    tg_tile padding;
    tg_tile dilation;
    tg_activation activation;
} tg_dw_conv_params;
typedef struct {
    tg_tile stride;
    tg_tile padding;
    tg_activation activation;
} tg_pool_params;
typedef struct {
    int32_t input_offset;
    int32_t filter_offset;
    int32_t output_offset;
    tg_activation activation;
} tg_fc_params;
#endif

#endif
