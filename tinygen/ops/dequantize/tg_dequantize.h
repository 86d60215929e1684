/* DEQUANTIZE kernel (tg_dequantize.c). */
#ifndef TG_DEQUANTIZE_H
#define TG_DEQUANTIZE_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- DEQUANTIZE (tg_dequantize.c): int8 or int16 -> float32 ---- */
void tg_dequantize_s8_f32(const int8_t *input, int32_t size, float scale, int32_t zero_point, float *output);
void tg_dequantize_s16_f32(const int16_t *input, int32_t size, float scale, int32_t zero_point, float *output);

#ifdef __cplusplus
}
#endif

#endif
