/* RESIZE_BILINEAR, int8: TFLite's reference ResizeBilinearInteger (double rounding build), with the source rows,
 * columns and weights computed by the compiler. Weights lie in [-512, 1536] and each pair sums to 1024, so
 * |sum| <= 128 * 2048 * 2048 = 2^29: the reference's int64 sums fit in int32 for int8 inputs. */
#include "tg_resize_bilinear.h"

void tg_resize_bilinear_s8(const tg_resize_params *params, const int8_t *input, int8_t *output)
{
    const int32_t depth = params->depth, batch_size = params->in_h * params->in_w * depth;
    for (int32_t b = 0; b < params->batches; ++b) {
        const int8_t *batch = input + b * batch_size;
        for (int32_t y = 0; y < params->out_h; ++y) {
            const int32_t *r = params->rows + 3 * y;
            const int8_t *top = batch + r[0], *bottom = batch + r[1];
            const int32_t wy = r[2];
            for (int32_t x = 0; x < params->out_w; ++x) {
                const int32_t *k = params->cols + 3 * x;
                const int32_t wx = k[2];
                const int32_t ll = (1024 - wy) * (1024 - wx), lu = wy * (1024 - wx);
                const int32_t rl = (1024 - wy) * wx, ru = wy * wx;
                for (int32_t c = 0; c < depth; ++c) {
                    const int32_t sum = top[k[0] + c] * ll + bottom[k[0] + c] * lu + top[k[1] + c] * rl +
                                        bottom[k[1] + c] * ru;
                    const int32_t round = sum > 0 ? (1 << 19) : -(1 << 19);
                    *output++ = (int8_t)((sum + round) / (1 << 20));
                }
            }
        }
    }
}
