/* MAXIMUM / MINIMUM, int8: TFLite's reference MaximumMinimumBroadcastSlow (stored values compared as they are). */
#include "tg_maximum_minimum.h"

#include <stddef.h>

#include "tg_broadcast.h"

static int8_t maximum_one(const void *params, int32_t a, int32_t b)
{
    (void)params;
    return (int8_t)(a > b ? a : b);
}

static int8_t minimum_one(const void *params, int32_t a, int32_t b)
{
    (void)params;
    return (int8_t)(a < b ? a : b);
}

void tg_maximum_s8(const tg_dims *input_1_dims, const int8_t *input_1, const tg_dims *input_2_dims,
                   const int8_t *input_2, const tg_dims *output_dims, int8_t *output)
{
    tg_broadcast_binary_s8(maximum_one, NULL, input_1_dims, input_1, input_2_dims, input_2, output_dims, output);
}

void tg_minimum_s8(const tg_dims *input_1_dims, const int8_t *input_1, const tg_dims *input_2_dims,
                   const int8_t *input_2, const tg_dims *output_dims, int8_t *output)
{
    tg_broadcast_binary_s8(minimum_one, NULL, input_1_dims, input_1, input_2_dims, input_2, output_dims, output);
}
