/* Broadcasting over NHWC-padded rank-4 shapes, as TFLite's BroadcastBinaryOpSimple: an input dimension of 1
 * repeats along the output's. Shared by the elementwise binary kernels (ADD, MUL). */
#ifndef TG_BROADCAST_H
#define TG_BROADCAST_H

#include <stdint.h>

#include "tg_types.h"

/* Element strides of `in` along n, h, w, c when walking the output: 0 where the input is broadcast. */
static inline void tg_broadcast_strides(const tg_dims *in, int32_t stride[4])
{
    stride[3] = in->c == 1 ? 0 : 1;
    stride[2] = in->w == 1 ? 0 : in->c;
    stride[1] = in->h == 1 ? 0 : in->w * in->c;
    stride[0] = in->n == 1 ? 0 : in->h * in->w * in->c;
}

#endif
