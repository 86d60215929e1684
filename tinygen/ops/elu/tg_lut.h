/* Table lookups (tg_lut.c): int8 activations whose TFLM kernel reads a 256-entry table (ELU). */
#ifndef TG_LUT_H
#define TG_LUT_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* output[i] = table[(uint8_t)input[i]]; output may be input. */
void tg_lut_s8(const int8_t *table, int32_t size, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif
