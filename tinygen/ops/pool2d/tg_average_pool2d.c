/* AVERAGE_POOL_2D, int8 and int16: TFLite reference integer_ops::AveragePool. The lowering guarantees every window
 * overlaps the input (TFLM fails the op otherwise) and equal input/output quantization (no rescaling). */
#include "tg_math.h"
#include "tg_pool2d.h"

/* The loops of both element types. */
#define TG_AVGPOOL_BODY(elem_t)                                                                                      \
    const int32_t in_h = input_dims->h, in_w = input_dims->w, depth = input_dims->c;                                 \
    const int32_t out_h = output_dims->h, out_w = output_dims->w;                                                    \
    const int32_t act_min = pool_params->activation.min, act_max = pool_params->activation.max;                      \
    for (int32_t b = 0; b < input_dims->n; ++b) {                                                                    \
        const elem_t *image = input_data + b * in_h * in_w * depth;                                                  \
        for (int32_t oy = 0; oy < out_h; ++oy) {                                                                     \
            const int32_t y0 = oy * pool_params->stride.h - pool_params->padding.h;                                  \
            int32_t ky_start, ky_end;                                                                                \
            tg_window_taps(y0, filter_dims->h, 1, in_h, &ky_start, &ky_end);                                         \
            for (int32_t ox = 0; ox < out_w; ++ox) {                                                                 \
                const int32_t x0 = ox * pool_params->stride.w - pool_params->padding.w;                              \
                int32_t kx_start, kx_end;                                                                            \
                tg_window_taps(x0, filter_dims->w, 1, in_w, &kx_start, &kx_end);                                     \
                /* Only the in-bounds part of the window counts. */                                                  \
                const int32_t count = (ky_end - ky_start) * (kx_end - kx_start);                                     \
                for (int32_t c = 0; c < depth; ++c) {                                                                \
                    int32_t sum = 0;                                                                                 \
                    for (int32_t ky = ky_start; ky < ky_end; ++ky) {                                                 \
                        const elem_t *row = image + ((y0 + ky) * in_w + x0 + kx_start) * depth + c;                  \
                        for (int32_t kx = 0; kx < kx_end - kx_start; ++kx) {                                         \
                            sum += row[kx * depth];                                                                  \
                        }                                                                                            \
                    }                                                                                                \
                    /* Divide rounding half away from zero (C division truncates toward zero). */                    \
                    sum = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;                           \
                    *output_data++ = (elem_t)TG_CLAMP(sum, act_min, act_max);                                        \
                }                                                                                                    \
            }                                                                                                        \
        }                                                                                                            \
    }

void tg_avgpool_s8(const tg_context *ctx, const tg_pool_params *pool_params, const tg_dims *input_dims,
                   const int8_t *input_data, const tg_dims *filter_dims, const tg_dims *output_dims,
                   int8_t *output_data)
{
    (void)ctx;
    TG_AVGPOOL_BODY(int8_t)
}

void tg_avgpool_s16(const tg_context *ctx, const tg_pool_params *pool_params, const tg_dims *input_dims,
                    const int16_t *input_data, const tg_dims *filter_dims, const tg_dims *output_dims,
                    int16_t *output_data)
{
    (void)ctx;
    TG_AVGPOOL_BODY(int16_t)
}
