/* NEG, float32: TFLM's reference Negate, -x (a sign flip: exact on every target). */
#include "tg_neg.h"

static float negate(float x)
{
    return -x;
}

void tg_neg_f32(const float *input, int32_t size, float *output)
{
    tg_map_f32(input, size, output, negate);
}
