/* CUMSUM kernel (tg_cumsum.c). */
#ifndef TG_CUMSUM_H
#define TG_CUMSUM_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TFLM's precomputed parameters: the input rescale (a multiplier of 1/2 after a left shift of 20) and the
 * output's. */
typedef struct {
    int32_t input_offset;  /* -zero point */
    int32_t input_multiplier;
    int32_t input_shift;
    int32_t output_multiplier;
    int32_t output_shift;
    int32_t output_offset;  /* +zero point */
} tg_cumsum_params;

/* Running sums along the middle axis of an [outer, depth, inner] tensor; `exclusive`: each output leaves out its
 * own element; `reverse`: sums run from the end. */
void tg_cumsum_s8(const tg_cumsum_params *params, const int8_t *input, int32_t outer, int32_t depth, int32_t inner,
                  int32_t exclusive, int32_t reverse, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif
