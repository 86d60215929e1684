/* ADD kernels (tg_add.c), and the one-element ADD the fused convolution epilogue shares. */
#ifndef TG_ADD_H
#define TG_ADD_H

#include <stdint.h>

#include "tg_common.h"
#include "tg_math.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- ADD (tg_add.c): same-shape form as CMSIS-NN's arm_elementwise_add_s8, and a broadcasting form ---- */
void tg_elementwise_add_s8(const int8_t *input_1_vect, const int8_t *input_2_vect, int32_t input_1_offset,
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
void tg_broadcast_add_s8(const tg_add_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
                         const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims,
                         int8_t *output);

/* 16x8: the same arithmetic on int16 (left_shift 15 instead of 20). */
void tg_elementwise_add_s16(const int16_t *input_1_vect, const int16_t *input_2_vect, int32_t input_1_offset,
                            int32_t input_1_mult, int32_t input_1_shift, int32_t input_2_offset,
                            int32_t input_2_mult, int32_t input_2_shift, int32_t left_shift, int16_t *output,
                            int32_t out_offset, int32_t out_mult, int32_t out_shift,
                            int32_t out_activation_min, int32_t out_activation_max, int32_t block_size);
void tg_broadcast_add_s16(const tg_add_params *params, const tg_dims *input_1_dims, const int16_t *input_1,
                          const tg_dims *input_2_dims, const int16_t *input_2, const tg_dims *output_dims,
                          int16_t *output);

/* One ADD (sign 1, TFLite's AddFunc) or SUB (sign -1, SubFunc) element: both inputs brought to a common
 * scale with left_shift bits of headroom, summed or subtracted, rescaled to the output, clamped. Shared by the
 * ADD and SUB kernels and the convolution whose epilogue adds a residual (tg_convolve_add_s8); sign is a
 * constant at every call, so the multiply folds away. (a + offset) spans at most 16 bits for int16 operands,
 * so the shift by 15 stays within int32. */
static inline int32_t tg_add_sub_one(const tg_add_params *p, int32_t a, int32_t b, int32_t sign)
{
    const int32_t scale = (int32_t)1 << p->left_shift;
    const int32_t x1 = tg_requantize((a + p->input_1_offset) * scale, p->input_1_mult, p->input_1_shift);
    const int32_t x2 = tg_requantize((b + p->input_2_offset) * scale, p->input_2_mult, p->input_2_shift);
    const int32_t y = tg_requantize(x1 + sign * x2, p->out_mult, p->out_shift) + p->out_offset;
    return TG_CLAMP(y, p->activation.min, p->activation.max);
}

static inline int8_t tg_add_sub_s8_one(const tg_add_params *p, int32_t a, int32_t b, int32_t sign)
{
    return (int8_t)tg_add_sub_one(p, a, b, sign);
}

static inline int16_t tg_add_sub_s16_one(const tg_add_params *p, int32_t a, int32_t b, int32_t sign)
{
    return (int16_t)tg_add_sub_one(p, a, b, sign);
}

static inline int8_t tg_add_s8_one(const tg_add_params *p, int32_t a, int32_t b)
{
    return tg_add_sub_s8_one(p, a, b, 1);
}

/* float32: TFLM's reference float a + b, then the fused activation's clamp; inputs broadcast. */
void tg_add_f32(const tg_activation_f32 *activation, const tg_dims *input_1_dims, const float *input_1,
                const tg_dims *input_2_dims, const float *input_2, const tg_dims *output_dims, float *output);

#ifdef __cplusplus
}
#endif

#endif
