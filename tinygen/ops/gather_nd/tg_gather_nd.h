/* GATHER_ND and EMBEDDING_LOOKUP with run-time indices (tg_gather_nd.c). */
#ifndef TG_GATHER_ND_H
#define TG_GATHER_ND_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TG_GATHER_ND_MAX 5 /* gather_nd.cc MAX_INDICES_ND */

typedef struct {
    int32_t slices;                   /* index tuples */
    int32_t nd;                       /* indices per tuple */
    int32_t counts[TG_GATHER_ND_MAX]; /* elements one step of each index skips */
    int32_t slice;                    /* elements copied per tuple */
    int32_t flat;                     /* the params' elements */
    int32_t rows;                     /* > 0: EMBEDDING_LOOKUP's check, each index in [0, rows) */
} tg_gather_nd_params;

/* Sets *failed to 1 (having written the slices before it) at the first index TFLM rejects, else to 0. */
void tg_gather_nd_s8(const tg_gather_nd_params *params, const int8_t *input, const int32_t *indices,
                     int8_t *output, int32_t *failed);
void tg_gather_nd_f32(const tg_gather_nd_params *params, const float *input, const int32_t *indices,
                      float *output, int32_t *failed);

#ifdef __cplusplus
}
#endif

#endif
