/* RESIZE_BILINEAR kernel (tg_resize_bilinear.c). */
#ifndef TG_RESIZE_BILINEAR_H
#define TG_RESIZE_BILINEAR_H

#include <stdint.h>

#include "tg_common.h"
#include "tg_resize_nearest_neighbor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* params->rows: per output row (offset of the lower input row, of the upper one, the upper one's weight in
 * 1/1024ths); params->cols: the same per output column (pixel offsets within a row). */
void tg_resize_bilinear_s8(const tg_resize_params *params, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif
