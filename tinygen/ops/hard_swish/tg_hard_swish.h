/* HARD_SWISH kernel (tg_hard_swish.c). */
#ifndef TG_HARD_SWISH_H
#define TG_HARD_SWISH_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- HARD_SWISH (tg_hard_swish.c): fields as TFLite's HardSwishParams ---- */
typedef struct {
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t reluish_multiplier_fixedpoint_int16; /* in_scale / 128 -> 3 / 32768, Q15 ... */
    int32_t reluish_multiplier_exponent;         /* ... times 2^exponent */
    int32_t output_multiplier_fixedpoint_int16;  /* in_scale / 128 -> out_scale, Q15 ... */
    int32_t output_multiplier_exponent;          /* ... times 2^exponent, <= 0 */
} tg_hard_swish_params;
void tg_hard_swish_s8(const tg_hard_swish_params *params, const int8_t *input, int32_t size, int8_t *output);
void tg_hard_swish_f32(const float *input, int32_t size, float *output);

#ifdef __cplusplus
}
#endif

#endif
