/* L2_NORMALIZATION kernel (tg_l2_normalization.c). */
#ifndef TG_L2_NORMALIZATION_H
#define TG_L2_NORMALIZATION_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Each of `outer` rows of `depth` values divided by its L2 norm, in units of 1/128 (no output zero point).
 * depth * 255² must fit int32 (the lowering checks it). */
void tg_l2_normalization_s8(const int8_t *input, int32_t outer, int32_t depth, int32_t input_zero_point,
                            int8_t *output);

#ifdef __cplusplus
}
#endif

#endif
