/* PAD / PADV2 kernel (tg_pad.c). */
#ifndef TG_PAD_H
#define TG_PAD_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- PAD / PADV2 (tg_pad.c): CMSIS-NN's arm_pad_s8 ---- */
void tg_pad_s8(const int8_t *input, int8_t *output, int8_t pad_value, const tg_dims *input_size,
               const tg_dims *pre_pad, const tg_dims *post_pad);
void tg_pad_s16(const int16_t *input, int16_t *output, int16_t pad_value, const tg_dims *input_size,
                const tg_dims *pre_pad, const tg_dims *post_pad);
void tg_pad_f32(const float *input, float *output, float pad_value, const tg_dims *input_size,
                const tg_dims *pre_pad, const tg_dims *post_pad);

#ifdef __cplusplus
}
#endif

#endif
