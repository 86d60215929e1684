/* One int8 ADD element, TFLite's AddFunc: both inputs brought to a common scale with left_shift bits of
 * headroom, summed, rescaled to the output, clamped. Shared by the ADD kernels and the convolution whose
 * epilogue adds a residual (tg_convolve_add_s8). */
#ifndef TG_ADD_H
#define TG_ADD_H

#include "tg_math.h"
#include "tg_nn.h"

static inline int8_t tg_add_s8_one(const tg_add_params *p, int32_t a, int32_t b)
{
    const int32_t scale = (int32_t)1 << p->left_shift;
    const int32_t x1 = tg_requantize((a + p->input_1_offset) * scale, p->input_1_mult, p->input_1_shift);
    const int32_t x2 = tg_requantize((b + p->input_2_offset) * scale, p->input_2_mult, p->input_2_shift);
    const int32_t y = tg_requantize(x1 + x2, p->out_mult, p->out_shift) + p->out_offset;
    return (int8_t)TG_CLAMP(y, p->activation.min, p->activation.max);
}

#endif
