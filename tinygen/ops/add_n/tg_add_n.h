/* ADD_N kernel (tg_add_n.c). */
#ifndef TG_ADD_N_H
#define TG_ADD_N_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t size, count;
    int32_t input_offset, input_mult, input_shift;
    int32_t output_offset, output_mult, output_shift;
} tg_add_n_params;

void tg_add_n_s8(const tg_add_n_params *params, const int8_t *const *inputs, int8_t *output);
void tg_add_n_f32(int32_t size, int32_t count, const float *const *inputs, float *output);

#ifdef __cplusplus
}
#endif

#endif
