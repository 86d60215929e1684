/* TRANSPOSE_CONV kernel (tg_transpose_conv.c). */
#ifndef TG_TRANSPOSE_CONV_H
#define TG_TRANSPOSE_CONV_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* filter_dims = {out_c, kh, kw, in_c} (OHWI, as TFLite stores it); params' dilation is unused (always 1). */
void tg_transpose_conv_s8(const tg_conv_params *params, const tg_per_channel_quant_params *quant,
                          const tg_dims *input_dims, const int8_t *input, const tg_dims *filter_dims,
                          const int8_t *filter, const int32_t *bias, const tg_dims *output_dims, int8_t *output);
/* 16x8: int16 activations (zero points 0), int8 filter, int64 bias. */
void tg_transpose_conv_s16(const tg_conv_params *params, const tg_per_channel_quant_params *quant,
                           const tg_dims *input_dims, const int16_t *input, const tg_dims *filter_dims,
                           const int8_t *filter, const int64_t *bias, const tg_dims *output_dims, int16_t *output);

#ifdef __cplusplus
}
#endif

#endif
