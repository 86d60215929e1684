/* SPACE_TO_BATCH_ND kernel (tg_space_to_batch.c). */
#ifndef TG_SPACE_TO_BATCH_H
#define TG_SPACE_TO_BATCH_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* NHWC shapes (a 3-D NHC tensor as NH1C), the block and the top/left padding; the fill byte. */
typedef struct {
    int32_t in_n, in_h, in_w, depth;
    int32_t out_n, out_h, out_w;
    int32_t block_h, block_w;
    int32_t pad_top, pad_left;
    int8_t pad_value;
} tg_space_to_batch_params;

void tg_space_to_batch_s8(const tg_space_to_batch_params *params, const int8_t *input, int8_t *output);
void tg_space_to_batch_f32(const tg_space_to_batch_params *params, const float *input, float *output);

#ifdef __cplusplus
}
#endif

#endif
