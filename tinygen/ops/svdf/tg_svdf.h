/* SVDF kernels (tg_svdf.c): int8 input and output, int16 or int8 activation state and time weights. */
#ifndef TG_SVDF_H
#define TG_SVDF_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t batches;
    int32_t input_size;
    int32_t units;
    int32_t rank; /* filters = units * rank */
    int32_t memory; /* the state keeps the last `memory` feature values of every filter */
    int32_t input_offset; /* -input zero point */
    int32_t state_zero_point;
    int32_t output_zero_point;
    int32_t feature_mult, feature_shift; /* input x feature weights -> state */
    int32_t time_mult, time_shift; /* state x time weights -> output */
} tg_svdf_params;

/* weights_feature [filters][input_size], weights_time [filters][memory], bias [units],
 * state [batches][filters][memory] (read and updated: it carries over to the next call), output [batches][units]. */
void tg_svdf_s8_s16(const tg_svdf_params *p, const int8_t *input, const int8_t *weights_feature,
                    const int16_t *weights_time, const int32_t *bias, int16_t *state, int8_t *output);
void tg_svdf_s8_s8(const tg_svdf_params *p, const int8_t *input, const int8_t *weights_feature,
                   const int8_t *weights_time, const int32_t *bias, int8_t *state, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif
