/* TANH kernel (tg_tanh.c). */
#ifndef TG_TANH_H
#define TG_TANH_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- LOGISTIC / TANH (tg_logistic.c, tg_tanh.c): input rescaled to Q4.27 (multiplier, left shift); inputs
 * within radius of the zero point go through gemmlowp's fixed-point function, the rest saturate ---- */
void tg_tanh_s8(const int8_t *input, int32_t size, int32_t input_zero_point, int32_t input_range_radius,
                int32_t input_multiplier, int32_t input_left_shift, int8_t *output);
/* int16 (zero points 0, output scale 2^-15): TFLM's sigmoid-table interpolation; the input multiplier and shift
 * bring it to the table's 3 * 4096 steps per unit. */
void tg_tanh_s16(const int16_t *input, int32_t size, int32_t input_multiplier, int32_t input_left_shift,
                 int16_t *output);

void tg_tanh_f32(const float *input, int32_t size, float *output); /* reference Tanh<float> */

#ifdef __cplusplus
}
#endif

#endif
