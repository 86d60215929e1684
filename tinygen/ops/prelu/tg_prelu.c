/* PRELU, int8: TFLite's reference BroadcastPrelu4DSlow. */
#include "tg_prelu.h"

#include "tg_broadcast.h"
#include "tg_math.h"

static int8_t prelu_one(const void *params, int32_t x, int32_t alpha)
{
    const tg_prelu_params *p = (const tg_prelu_params *)params;
    const int32_t v = x + p->input_offset;
    /* |v|, |alpha + offset| <= 255: their product fits int32 */
    const int32_t y = (v >= 0 ? tg_requantize(v, p->identity_mult, p->identity_shift)
                              : tg_requantize(v * (alpha + p->alpha_offset), p->alpha_mult, p->alpha_shift)) +
                      p->output_offset;
    return (int8_t)TG_CLAMP(y, -128, 127);
}

void tg_prelu_s8(const tg_prelu_params *params, const tg_dims *input_dims, const int8_t *input,
                 const tg_dims *alpha_dims, const int8_t *alpha, const tg_dims *output_dims, int8_t *output)
{
    tg_broadcast_binary_s8(prelu_one, params, input_dims, input, alpha_dims, alpha, output_dims, output);
}

/* float32: TFLM's BroadcastPrelu4DSlowFloat, x >= 0.0f ? x : x * alpha (so -0.0f stays -0.0f). */
#define TG_PRELU_F32(x, alpha) ((x) >= 0.0f ? (x) : (x) * (alpha))

TG_DEFINE_BINARY_WALK(tg_prelu_f32, float, TG_PRELU_F32)
