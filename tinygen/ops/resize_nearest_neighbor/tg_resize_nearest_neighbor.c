/* RESIZE_NEAREST_NEIGHBOR, int8: TFLite's reference ResizeNearestNeighbor, with the input row and column of every
 * output row and column (GetNearestNeighbor) computed by the compiler. */
#include <string.h>

#include "tg_resize_nearest_neighbor.h"

void tg_resize_nearest_s8(const tg_resize_params *params, const int8_t *input, int8_t *output)
{
    const int32_t depth = params->depth, batch_size = params->in_h * params->in_w * depth;
    for (int32_t b = 0; b < params->batches; ++b) {
        for (int32_t y = 0; y < params->out_h; ++y) {
            const int8_t *row = input + b * batch_size + params->rows[y];
            for (int32_t x = 0; x < params->out_w; ++x) {
                memcpy(output, row + params->cols[x], (size_t)depth);
                output += depth;
            }
        }
    }
}
