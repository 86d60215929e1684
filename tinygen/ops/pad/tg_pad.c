/* PAD / PADV2, int8, int16 and float32: TFLite reference Pad writes the output in order, the pad value where an index
 * falls in the padding and the next input element elsewhere. Same arguments as CMSIS-NN's arm_pad_s8 (NHWC
 * dims). The compiler folds unpadded dimensions into their outer neighbour, so the innermost copies are long. */
#include <string.h>

#include "tg_pad.h"

/* count elements of `size` bytes, each a copy of value. */
static uint8_t *fill(uint8_t *output, const void *value, size_t size, int32_t count)
{
    if (size == 1) {
        memset(output, *(const uint8_t *)value, (size_t)count);
    } else {
        for (int32_t i = 0; i < count; ++i) {
            memcpy(output + (size_t)i * size, value, size);
        }
    }
    return output + (size_t)count * size;
}

static void pad(const uint8_t *input, uint8_t *output, const void *pad_value, size_t size,
                const tg_dims *input_size, const tg_dims *pre_pad, const tg_dims *post_pad)
{
    const int32_t in_c = input_size->c;
    const int32_t pixel = pre_pad->c + in_c + post_pad->c;
    const int32_t row = (pre_pad->w + input_size->w + post_pad->w) * pixel;
    const int32_t image = (pre_pad->h + input_size->h + post_pad->h) * row;
    const size_t in_bytes = (size_t)in_c * size;

    output = fill(output, pad_value, size, pre_pad->n * image);
    for (int32_t n = 0; n < input_size->n; ++n) {
        output = fill(output, pad_value, size, pre_pad->h * row);
        for (int32_t h = 0; h < input_size->h; ++h) {
            output = fill(output, pad_value, size, pre_pad->w * pixel);
            for (int32_t w = 0; w < input_size->w; ++w) {
                output = fill(output, pad_value, size, pre_pad->c);
                memcpy(output, input, in_bytes);
                output += in_bytes;
                input += in_bytes;
                output = fill(output, pad_value, size, post_pad->c);
            }
            output = fill(output, pad_value, size, post_pad->w * pixel);
        }
        output = fill(output, pad_value, size, post_pad->h * row);
    }
    fill(output, pad_value, size, post_pad->n * image);
}

void tg_pad_s8(const int8_t *input, int8_t *output, int8_t pad_value, const tg_dims *input_size,
               const tg_dims *pre_pad, const tg_dims *post_pad)
{
    pad((const uint8_t *)input, (uint8_t *)output, &pad_value, sizeof pad_value, input_size, pre_pad, post_pad);
}

void tg_pad_s16(const int16_t *input, int16_t *output, int16_t pad_value, const tg_dims *input_size,
                const tg_dims *pre_pad, const tg_dims *post_pad)
{
    pad((const uint8_t *)input, (uint8_t *)output, &pad_value, sizeof pad_value, input_size, pre_pad, post_pad);
}

void tg_pad_f32(const float *input, float *output, float pad_value, const tg_dims *input_size,
                const tg_dims *pre_pad, const tg_dims *post_pad)
{
    pad((const uint8_t *)input, (uint8_t *)output, &pad_value, sizeof pad_value, input_size, pre_pad, post_pad);
}
