/* SPACE_TO_BATCH_ND, int8 and float32: TFLite's reference SpaceToBatchND. Output batch b takes input batch
 * b % in_n at the block offset (b / in_n) of the padded image; each output pixel is a copy of one input pixel's
 * channels, or the fill where it lands in the padding (every byte pad_value: TFLM's 0, also 0.0f). */
#include <string.h>

#include "tg_space_to_batch.h"

/* The copy of elements of `element` bytes. */
static void tg_space_to_batch(const tg_space_to_batch_params *p, const unsigned char *input, unsigned char *output,
                              size_t element)
{
    const size_t depth = (size_t)p->depth * element;
    for (int32_t out_b = 0; out_b < p->out_n; ++out_b) {
        const int32_t in_b = out_b % p->in_n;
        const int32_t shift_w = (out_b / p->in_n) % p->block_w;
        const int32_t shift_h = (out_b / p->in_n) / p->block_w;
        for (int32_t out_y = 0; out_y < p->out_h; ++out_y) {
            const int32_t in_y = out_y * p->block_h + shift_h - p->pad_top;
            for (int32_t out_x = 0; out_x < p->out_w; ++out_x) {
                const int32_t in_x = out_x * p->block_w + shift_w - p->pad_left;
                if (in_y < 0 || in_y >= p->in_h || in_x < 0 || in_x >= p->in_w) {
                    memset(output, (unsigned char)p->pad_value, depth);
                } else {
                    memcpy(output, input + (((size_t)in_b * (size_t)p->in_h + (size_t)in_y) * (size_t)p->in_w
                                            + (size_t)in_x) * depth, depth);
                }
                output += depth;
            }
        }
    }
}

void tg_space_to_batch_s8(const tg_space_to_batch_params *params, const int8_t *input, int8_t *output)
{
    tg_space_to_batch(params, (const unsigned char *)input, (unsigned char *)output, sizeof(int8_t));
}

void tg_space_to_batch_f32(const tg_space_to_batch_params *params, const float *input, float *output)
{
    tg_space_to_batch(params, (const unsigned char *)input, (unsigned char *)output, sizeof(float));
}
