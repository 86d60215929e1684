/* QUANTIZE kernels (tg_quantize.c). */
#ifndef TG_QUANTIZE_H
#define TG_QUANTIZE_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- QUANTIZE (tg_quantize.c): float32 -> int8 or int16, rescales between int8 and int16, and from or to int32
 * (zero point 0) ---- */
void tg_quantize_f32_s8(const float *input, int32_t size, float scale, int32_t zero_point, int8_t *output);
void tg_quantize_f32_s16(const float *input, int32_t size, float scale, int32_t zero_point, int16_t *output);
void tg_requantize_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                      int32_t shift, int32_t output_zero_point, int8_t *output);
void tg_requantize_s8_s16(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                          int32_t shift, int32_t output_zero_point, int16_t *output);
void tg_requantize_s16_s8(const int16_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                          int32_t shift, int32_t output_zero_point, int8_t *output);
void tg_requantize_s16(const int16_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                       int32_t shift, int32_t output_zero_point, int16_t *output);
void tg_requantize_s32_s8(const int32_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                          int32_t shift, int32_t output_zero_point, int8_t *output);
void tg_requantize_s32_s16(const int32_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                           int32_t shift, int32_t output_zero_point, int16_t *output);
void tg_requantize_s8_s32(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                          int32_t shift, int32_t output_zero_point, int32_t *output);
void tg_requantize_s16_s32(const int16_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                           int32_t shift, int32_t output_zero_point, int32_t *output);

void tg_requantize_u8_s8(const uint8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                         int32_t shift, int32_t output_zero_point, int8_t *output);
void tg_requantize_s8_u8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t multiplier,
                         int32_t shift, int32_t output_zero_point, uint8_t *output);

#ifdef __cplusplus
}
#endif

#endif
