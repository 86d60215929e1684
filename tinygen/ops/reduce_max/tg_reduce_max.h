/* REDUCE_MAX / REDUCE_MIN kernels (tg_reduce_max.c), over MEAN's loop nest (tg_mean_params). */
#ifndef TG_REDUCE_MAX_H
#define TG_REDUCE_MAX_H

#include <stdint.h>

#include "tg_common.h"
#include "tg_mean.h"

#ifdef __cplusplus
extern "C" {
#endif

void tg_reduce_max_s8(const tg_mean_params *params, const int8_t *input, int8_t *output);
void tg_reduce_min_s8(const tg_mean_params *params, const int8_t *input, int8_t *output);
void tg_reduce_max_f32(const tg_mean_params *params, const float *input, float *output);
void tg_reduce_min_f32(const tg_mean_params *params, const float *input, float *output);

#ifdef __cplusplus
}
#endif

#endif
