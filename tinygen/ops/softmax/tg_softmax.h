/* SOFTMAX kernel (tg_softmax.c). */
#ifndef TG_SOFTMAX_H
#define TG_SOFTMAX_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- SOFTMAX (tg_softmax.c) ---- */
void tg_softmax_s8(const int8_t *input, int32_t num_rows, int32_t row_size, int32_t mult, int32_t shift,
                   int32_t diff_min, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif
