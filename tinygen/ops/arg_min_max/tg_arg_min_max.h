/* ARG_MAX / ARG_MIN kernels (tg_arg_min_max.c). */
#ifndef TG_ARG_MIN_MAX_H
#define TG_ARG_MIN_MAX_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* input [outer][axis_size][inner] → output [outer][inner]: the index along the axis of the largest (smallest)
 * value, the first one on a tie. */
typedef struct {
    int32_t outer;
    int32_t axis_size;
    int32_t inner;
} tg_arg_params;
void tg_arg_max_s8(const tg_arg_params *params, const int8_t *input, int32_t *output);
void tg_arg_min_s8(const tg_arg_params *params, const int8_t *input, int32_t *output);
void tg_arg_max_f32(const tg_arg_params *params, const float *input, int32_t *output);
void tg_arg_min_f32(const tg_arg_params *params, const float *input, int32_t *output);

#ifdef __cplusplus
}
#endif

#endif
