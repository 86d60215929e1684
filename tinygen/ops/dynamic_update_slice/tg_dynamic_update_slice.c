/* DYNAMIC_UPDATE_SLICE, int8 and int16: TFLM's EvalImpl. The output starts as a copy of the operand (none where
 * it is the operand); each start index is clamped into [0, dims - update] (CalculateClampedStartIndices); the
 * update's rows (its innermost axis) are copied to their place, outer axes walked as an odometer. */
#include <string.h>

#include "tg_dynamic_update_slice.h"

#define TG_DUS_BODY(elem_t)                                                                                   \
    const tg_dus_params *p = params;                                                                          \
    int32_t stride[TG_DUS_RANK], at[TG_DUS_RANK] = {0};                                                       \
    int32_t offset = 0, rows = 1;                                                                             \
    if (output != operand) {                                                                                  \
        memcpy(output, operand, (size_t)p->size * sizeof(elem_t));                                            \
    }                                                                                                         \
    stride[TG_DUS_RANK - 1] = 1;                                                                              \
    for (int32_t a = TG_DUS_RANK - 2; a >= 0; --a) {                                                          \
        stride[a] = stride[a + 1] * p->dims[a + 1];                                                           \
    }                                                                                                         \
    for (int32_t a = 0; a < TG_DUS_RANK; ++a) {                                                               \
        const int32_t lead = TG_DUS_RANK - p->rank;                                                           \
        const int32_t s = a < lead ? 0 : start[a - lead];                                                     \
        const int32_t hi = p->dims[a] - p->update[a];                                                         \
        offset += (s < 0 ? 0 : s > hi ? hi : s) * stride[a];                                                  \
        rows *= a < TG_DUS_RANK - 1 ? p->update[a] : 1;                                                       \
    }                                                                                                         \
    const size_t row_bytes = (size_t)p->update[TG_DUS_RANK - 1] * sizeof(elem_t);                             \
    for (int32_t r = 0; r < rows; ++r) {                                                                      \
        int32_t target = offset;                                                                              \
        for (int32_t a = 0; a < TG_DUS_RANK - 1; ++a) {                                                       \
            target += at[a] * stride[a];                                                                      \
        }                                                                                                     \
        memcpy(output + target, update, row_bytes);                                                           \
        update += p->update[TG_DUS_RANK - 1];                                                                 \
        for (int32_t a = TG_DUS_RANK - 2; a >= 0 && ++at[a] == p->update[a]; --a) {                           \
            at[a] = 0;                                                                                        \
        }                                                                                                     \
    }

void tg_dynamic_update_slice_s8(const tg_dus_params *params, const int8_t *operand, const int8_t *update,
                                const int32_t *start, int8_t *output)
{
    TG_DUS_BODY(int8_t)
}

void tg_dynamic_update_slice_s16(const tg_dus_params *params, const int16_t *operand, const int16_t *update,
                                 const int32_t *start, int16_t *output)
{
    TG_DUS_BODY(int16_t)
}

#undef TG_DUS_BODY
