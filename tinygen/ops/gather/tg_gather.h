/* GATHER kernel (tg_gather.c): a gather through one table of input offsets per output axis (also MIRROR_PAD). */
#ifndef TG_GATHER_H
#define TG_GATHER_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t dims[5];           /* output extents, outermost first */
    const int32_t *offsets[5]; /* per axis: the input offset output index i reads */
} tg_gather5_params;

void tg_gather5_s8(const tg_gather5_params *params, const int8_t *input, int8_t *output);
void tg_gather5_f32(const tg_gather5_params *params, const float *input, float *output);

#ifdef __cplusplus
}
#endif

#endif
