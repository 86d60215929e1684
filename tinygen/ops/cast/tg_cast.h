/* CAST kernels (tg_cast.c): tg_cast_<from>_<to>(input, size, output), TFLM's static_cast of each element. */
#ifndef TG_CAST_H
#define TG_CAST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* bool inputs (tg_cast_b_*) hold 0 or 1 */
void tg_cast_s8_s8(const int8_t *input, int32_t size, int8_t *output);
void tg_cast_s8_s16(const int8_t *input, int32_t size, int16_t *output);
void tg_cast_s8_s32(const int8_t *input, int32_t size, int32_t *output);
void tg_cast_s8_f32(const int8_t *input, int32_t size, float *output);
void tg_cast_s16_s8(const int16_t *input, int32_t size, int8_t *output);
void tg_cast_s16_s16(const int16_t *input, int32_t size, int16_t *output);
void tg_cast_s16_s32(const int16_t *input, int32_t size, int32_t *output);
void tg_cast_s16_f32(const int16_t *input, int32_t size, float *output);
void tg_cast_s32_s8(const int32_t *input, int32_t size, int8_t *output);
void tg_cast_s32_s16(const int32_t *input, int32_t size, int16_t *output);
void tg_cast_s32_s32(const int32_t *input, int32_t size, int32_t *output);
void tg_cast_s32_f32(const int32_t *input, int32_t size, float *output);
void tg_cast_f32_s8(const float *input, int32_t size, int8_t *output);
void tg_cast_f32_s16(const float *input, int32_t size, int16_t *output);
void tg_cast_f32_s32(const float *input, int32_t size, int32_t *output);
void tg_cast_f32_f32(const float *input, int32_t size, float *output);
void tg_cast_b_s8(const uint8_t *input, int32_t size, int8_t *output);
void tg_cast_b_s16(const uint8_t *input, int32_t size, int16_t *output);
void tg_cast_b_s32(const uint8_t *input, int32_t size, int32_t *output);
void tg_cast_b_f32(const uint8_t *input, int32_t size, float *output);

#ifdef __cplusplus
}
#endif

#endif
