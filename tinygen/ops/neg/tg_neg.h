/* NEG kernel (tg_neg.c). */
#ifndef TG_NEG_H
#define TG_NEG_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

void tg_neg_f32(const float *input, int32_t size, float *output);

#ifdef __cplusplus
}
#endif

#endif
