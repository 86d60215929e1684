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
/* int8 in, int16 out (zero point -32768, scale 1/65536): the same arithmetic, 16 output bits. */
void tg_softmax_s8_s16(const int8_t *input, int32_t num_rows, int32_t row_size, int32_t mult, int32_t shift,
                       int32_t diff_min, int16_t *output);
/* int16 in and out (zero points 0, output scale 1/32768): TFLM's table path; each table has 513 entries. */
void tg_softmax_s16(const int16_t *input, int32_t num_rows, int32_t row_size, int32_t mult, int32_t shift,
                    const int16_t *exp_lut, const int16_t *one_over_one_plus_x_lut, int16_t *output);

/* float32: TFLM's reference Softmax<float>, beta the option's float32 value. In-place safe. */
void tg_softmax_f32(const float *input, int32_t num_rows, int32_t row_size, float beta, float *output);

#ifdef __cplusplus
}
#endif

#endif
