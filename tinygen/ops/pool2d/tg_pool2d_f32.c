/* AVERAGE_POOL_2D, MAX_POOL_2D and L2_POOL_2D, float32: TFLM's reference AveragePool<float>, MaxPool<float> and
 * L2Pool. */
#include <float.h>
#include <math.h>

#include "tg_pool2d.h"

enum pool { AVERAGE, MAX, L2 };

/* One window walk for the three: the average keeps a float sum and a float count and divides, as the reference
 * (the compiler refused windows wholly in the padding); the maximum is std::max(max, value), which keeps max
 * unless max < value, so a NaN input is passed over as there; L2 is sqrtf of the mean of the squares. */
static void pool_f32(const tg_pool_f32_params *p, const float *input, float *output, enum pool kind)
{
    const tg_dims in = p->input, out = p->output;
    for (int32_t b = 0; b < out.n; b++) {
        for (int32_t oy = 0; oy < out.h; oy++) {
            const int32_t in_y0 = oy * p->stride.h - p->padding.h;
            int32_t y_lo, y_hi;
            tg_window_taps(in_y0, p->filter.h, 1, in.h, &y_lo, &y_hi);
            for (int32_t ox = 0; ox < out.w; ox++) {
                const int32_t in_x0 = ox * p->stride.w - p->padding.w;
                int32_t x_lo, x_hi;
                tg_window_taps(in_x0, p->filter.w, 1, in.w, &x_lo, &x_hi);
                for (int32_t c = 0; c < out.c; c++) {
                    float total = 0.0f, squares = 0.0f, count = 0.0f, max = -FLT_MAX;
                    for (int32_t ky = y_lo; ky < y_hi; ky++) {
                        for (int32_t kx = x_lo; kx < x_hi; kx++) {
                            const float value = input[((b * in.h + in_y0 + ky) * in.w + in_x0 + kx) * in.c + c];
                            total += value;
                            squares += value * value;
                            count += 1.0f;
                            max = max < value ? value : max;
                        }
                    }
                    const float pooled = kind == AVERAGE ? total / count : kind == MAX ? max : sqrtf(squares / count);
                    output[((b * out.h + oy) * out.w + ox) * out.c + c] = tg_clamp_f32(pooled, p->activation);
                }
            }
        }
    }
}

void tg_avgpool_f32(const tg_pool_f32_params *p, const float *input, float *output)
{
    pool_f32(p, input, output, AVERAGE);
}

void tg_max_pool_f32(const tg_pool_f32_params *p, const float *input, float *output)
{
    pool_f32(p, input, output, MAX);
}

void tg_l2_pool_f32(const tg_pool_f32_params *p, const float *input, float *output)
{
    pool_f32(p, input, output, L2);
}
