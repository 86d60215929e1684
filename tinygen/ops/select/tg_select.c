/* SELECT_V2: TFLite Micro's select.cc (reference Select, BroadcastSelect5DSlow): the values are copied as
 * stored, x, y and the output sharing one quantization. */
#include "tg_select.h"

#include "tg_broadcast.h"

/* The broadcast walk of three operands: each element of x and y is read just before the output element at the
 * same position (of an operand of the output's shape) is written, so either may be overwritten in place. */
#define TG_SELECT_WALK(elem_t)                                                                                \
    do {                                                                                                      \
        int32_t sc[4], sx[4], sy[4];                                                                          \
        tg_broadcast_strides(condition_dims, sc);                                                             \
        tg_broadcast_strides(x_dims, sx);                                                                     \
        tg_broadcast_strides(y_dims, sy);                                                                     \
        for (int32_t n = 0; n < output_dims->n; ++n) {                                                        \
            for (int32_t h = 0; h < output_dims->h; ++h) {                                                    \
                for (int32_t w = 0; w < output_dims->w; ++w) {                                                \
                    const uint8_t *pc = condition + n * sc[0] + h * sc[1] + w * sc[2];                        \
                    const elem_t *px = x + n * sx[0] + h * sx[1] + w * sx[2];                                 \
                    const elem_t *py = y + n * sy[0] + h * sy[1] + w * sy[2];                                 \
                    for (int32_t c = 0; c < output_dims->c; ++c) {                                            \
                        const elem_t vx = px[c * sx[3]];                                                      \
                        const elem_t vy = py[c * sy[3]];                                                      \
                        *output++ = pc[c * sc[3]] ? vx : vy;                                                  \
                    }                                                                                         \
                }                                                                                             \
            }                                                                                                 \
        }                                                                                                     \
    } while (0)

void tg_select_s8(const tg_dims *condition_dims, const uint8_t *condition, const tg_dims *x_dims, const int8_t *x,
                  const tg_dims *y_dims, const int8_t *y, const tg_dims *output_dims, int8_t *output)
{
    TG_SELECT_WALK(int8_t);
}

void tg_select_s16(const tg_dims *condition_dims, const uint8_t *condition, const tg_dims *x_dims,
                   const int16_t *x, const tg_dims *y_dims, const int16_t *y, const tg_dims *output_dims,
                   int16_t *output)
{
    TG_SELECT_WALK(int16_t);
}

void tg_select_f32(const tg_dims *condition_dims, const uint8_t *condition, const tg_dims *x_dims, const float *x,
                   const tg_dims *y_dims, const float *y, const tg_dims *output_dims, float *output)
{
    TG_SELECT_WALK(float);
}
