/* DYNAMIC_UPDATE_SLICE kernel (tg_dynamic_update_slice.c). */
#ifndef TG_DYNAMIC_UPDATE_SLICE_H
#define TG_DYNAMIC_UPDATE_SLICE_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TG_DUS_RANK 6 /* TFLM's kMaxDimensions (RuntimeShape::kMaxSmallSize) */

/* Shapes padded with leading 1s to TG_DUS_RANK (their start indices then read 0). */
typedef struct {
    int32_t rank;                /* the start indices read: the last `rank` axes */
    int32_t dims[TG_DUS_RANK];   /* the operand's (and output's) */
    int32_t update[TG_DUS_RANK]; /* the update's, each <= the operand's */
    int32_t size;                /* the operand's elements */
} tg_dus_params;

/* output = operand with the update written at the start indices, each clamped into [0, dims - update]. The
 * output may be the operand itself (in place: nothing is copied). */
void tg_dynamic_update_slice_s8(const tg_dus_params *params, const int8_t *operand, const int8_t *update,
                                const int32_t *start, int8_t *output);
void tg_dynamic_update_slice_s16(const tg_dus_params *params, const int16_t *operand, const int16_t *update,
                                 const int32_t *start, int16_t *output);

#ifdef __cplusplus
}
#endif

#endif
