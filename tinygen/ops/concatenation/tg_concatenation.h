/* CONCATENATION kernels (tg_concatenation.c). */
#ifndef TG_CONCATENATION_H
#define TG_CONCATENATION_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CONCATENATION (tg_concatenation.c): CMSIS-NN's arm_concatenation_s8_{x,y,z,w}; tensors [w][z][y][x] ---- */
void tg_concatenation_s8_x(const int8_t *input, uint16_t input_x, uint16_t input_y, uint16_t input_z,
                           uint16_t input_w, int8_t *output, uint16_t output_x, uint32_t offset_x);
void tg_concatenation_s8_y(const int8_t *input, uint16_t input_x, uint16_t input_y, uint16_t input_z,
                           uint16_t input_w, int8_t *output, uint16_t output_y, uint32_t offset_y);
void tg_concatenation_s8_z(const int8_t *input, uint16_t input_x, uint16_t input_y, uint16_t input_z,
                           uint16_t input_w, int8_t *output, uint16_t output_z, uint32_t offset_z);
void tg_concatenation_s8_w(const int8_t *input, uint16_t input_x, uint16_t input_y, uint16_t input_z,
                           uint16_t input_w, int8_t *output, uint32_t offset_w);

#ifdef __cplusplus
}
#endif

#endif
