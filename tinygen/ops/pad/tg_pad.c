/* PAD / PADV2, int8: TFLite reference Pad writes the output in order, the pad value where an index falls in
 * the padding and the next input byte elsewhere. Same arguments as CMSIS-NN's arm_pad_s8 (NHWC dims).
 * The compiler folds unpadded dimensions into their outer neighbour, so the innermost copies are long. */
#include <string.h>

#include "tg_pad.h"

static int8_t *fill(int8_t *output, int8_t value, int32_t count)
{
    memset(output, value, (size_t)count);
    return output + count;
}

void tg_pad_s8(const int8_t *input, int8_t *output, int8_t pad_value, const tg_dims *input_size,
               const tg_dims *pre_pad, const tg_dims *post_pad)
{
    const int32_t in_c = input_size->c;
    const int32_t pixel = pre_pad->c + in_c + post_pad->c;
    const int32_t row = (pre_pad->w + input_size->w + post_pad->w) * pixel;
    const int32_t image = (pre_pad->h + input_size->h + post_pad->h) * row;

    output = fill(output, pad_value, pre_pad->n * image);
    for (int32_t n = 0; n < input_size->n; ++n) {
        output = fill(output, pad_value, pre_pad->h * row);
        for (int32_t h = 0; h < input_size->h; ++h) {
            output = fill(output, pad_value, pre_pad->w * pixel);
            for (int32_t w = 0; w < input_size->w; ++w) {
                output = fill(output, pad_value, pre_pad->c);
                memcpy(output, input, (size_t)in_c);
                output += in_c;
                input += in_c;
                output = fill(output, pad_value, post_pad->c);
            }
            output = fill(output, pad_value, post_pad->w * pixel);
        }
        output = fill(output, pad_value, post_pad->h * row);
    }
    fill(output, pad_value, post_pad->n * image);
}
