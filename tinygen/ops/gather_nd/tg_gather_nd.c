/* GATHER_ND (gather_nd.cc GatherNd) and EMBEDDING_LOOKUP (embedding_lookup.cc EvalSimple), int8 and float32,
 * with run-time indices: each tuple's flat start is the sum of index * count, the slice after it is copied.
 * GATHER_ND checks only that the slice lies inside the params (an index past its axis may still land inside);
 * TFLM sums in int, which wraps on the targets it runs on: the sum is taken modulo 2^32 here too, without signed
 * overflow.
 * EMBEDDING_LOOKUP checks each index against the rows. */
#include <string.h>

#include "tg_gather_nd.h"

/* The gather of elements of `element` bytes (counts, slice and flat count elements). */
static void tg_gather_nd(const tg_gather_nd_params *p, const unsigned char *input, const int32_t *indices,
                         unsigned char *output, int32_t *failed, size_t element)
{
    *failed = 1;
    for (int32_t i = 0; i < p->slices; ++i) {
        uint32_t sum = 0;
        for (int32_t j = 0; j < p->nd; ++j) {
            const int32_t index = indices[i * p->nd + j];
            if (p->rows > 0 && (index < 0 || index >= p->rows)) {
                return;
            }
            sum += (uint32_t)index * (uint32_t)p->counts[j];
        }
        /* Two's complement reading of the wrapped sum, as TFLM's int. */
        const int64_t from = sum > 0x7fffffffu ? (int64_t)sum - 0x100000000LL : (int64_t)sum;
        if (from < 0 || from + p->slice > p->flat) {
            return;
        }
        memcpy(output + (size_t)i * (size_t)p->slice * element, input + (size_t)from * element,
               (size_t)p->slice * element);
    }
    *failed = 0;
}

void tg_gather_nd_s8(const tg_gather_nd_params *params, const int8_t *input, const int32_t *indices,
                     int8_t *output, int32_t *failed)
{
    tg_gather_nd(params, (const unsigned char *)input, indices, (unsigned char *)output, failed, sizeof(int8_t));
}

void tg_gather_nd_f32(const tg_gather_nd_params *params, const float *input, const int32_t *indices,
                      float *output, int32_t *failed)
{
    tg_gather_nd(params, (const unsigned char *)input, indices, (unsigned char *)output, failed, sizeof(float));
}
