/* PRELU kernel (tg_prelu.c). */
#ifndef TG_PRELU_H
#define TG_PRELU_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t input_offset, alpha_offset, output_offset;
    int32_t identity_mult, identity_shift; /* x + input_offset >= 0 */
    int32_t alpha_mult, alpha_shift;       /* below 0: times alpha + alpha_offset */
} tg_prelu_params;

/* Shapes NHWC-padded to rank 4; a dimension of an input that is 1 where the output's is not is broadcast. */
void tg_prelu_s8(const tg_prelu_params *params, const tg_dims *input_dims, const int8_t *input,
                 const tg_dims *alpha_dims, const int8_t *alpha, const tg_dims *output_dims, int8_t *output);

void tg_prelu_f32(const tg_dims *input_1_dims, const float *input_1, const tg_dims *input_2_dims,
                  const float *input_2, const tg_dims *output_dims, float *output);

#ifdef __cplusplus
}
#endif

#endif
