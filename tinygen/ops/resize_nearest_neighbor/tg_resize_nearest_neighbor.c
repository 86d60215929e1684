/* RESIZE_NEAREST_NEIGHBOR, int8, int16 and float32: TFLite's reference ResizeNearestNeighbor, with the input row
 * and column of every output row and column (GetNearestNeighbor) computed by the compiler. The tables count
 * elements; the copy is the same for every type, by its element size. */
#include <string.h>

#include "tg_resize_nearest_neighbor.h"

static void tg_resize_nearest(const tg_resize_params *params, const unsigned char *input, unsigned char *output,
                              size_t element)
{
    const size_t pixel = (size_t)params->depth * element;
    const size_t batch_size = (size_t)params->in_h * (size_t)params->in_w * pixel;
    for (int32_t b = 0; b < params->batches; ++b) {
        for (int32_t y = 0; y < params->out_h; ++y) {
            const unsigned char *row = input + (size_t)b * batch_size + (size_t)params->rows[y] * element;
            for (int32_t x = 0; x < params->out_w; ++x) {
                memcpy(output, row + (size_t)params->cols[x] * element, pixel);
                output += pixel;
            }
        }
    }
}

void tg_resize_nearest_s8(const tg_resize_params *params, const int8_t *input, int8_t *output)
{
    tg_resize_nearest(params, (const unsigned char *)input, (unsigned char *)output, sizeof(int8_t));
}

void tg_resize_nearest_s16(const tg_resize_params *params, const int16_t *input, int16_t *output)
{
    tg_resize_nearest(params, (const unsigned char *)input, (unsigned char *)output, sizeof(int16_t));
}

void tg_resize_nearest_f32(const tg_resize_params *params, const float *input, float *output)
{
    tg_resize_nearest(params, (const unsigned char *)input, (unsigned char *)output, sizeof(float));
}
