/* RESIZE_NEAREST_NEIGHBOR kernel (tg_resize_nearest_neighbor.c). */
#ifndef TG_RESIZE_NEAREST_NEIGHBOR_H
#define TG_RESIZE_NEAREST_NEIGHBOR_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t batches, in_h, in_w, out_h, out_w, depth;
    const int32_t *rows; /* per output row: the offset of the input row it copies within a batch */
    const int32_t *cols; /* per output column: the offset of the input pixel it copies within a row */
} tg_resize_params;

void tg_resize_nearest_s8(const tg_resize_params *params, const int8_t *input, int8_t *output);
void tg_resize_nearest_s16(const tg_resize_params *params, const int16_t *input, int16_t *output);
void tg_resize_nearest_f32(const tg_resize_params *params, const float *input, float *output);

#ifdef __cplusplus
}
#endif

#endif
