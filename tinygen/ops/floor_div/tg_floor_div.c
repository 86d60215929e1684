/* FLOOR_DIV and FLOOR_MOD, float32: TFLM's reference FloorDiv (floor of the quotient in double, then float) and
 * FloorMod (fmodf, moved onto the divisor's sign). */
#include <math.h>
#include <stddef.h>

#include "tg_broadcast.h"
#include "tg_floor_div.h"

static float floor_div(const void *params, float a, float b)
{
    (void)params;
    return (float)floor((double)a / (double)b);
}

static float floor_mod(const void *params, float a, float b)
{
    (void)params;
    const float trunc_mod = fmodf(a, b);
    const int nonzero = trunc_mod < 0.0f || trunc_mod > 0.0f; /* trunc_mod != 0 for every non-NaN value */
    return nonzero && ((b < 0.0f) != (trunc_mod < 0.0f)) ? trunc_mod + b : trunc_mod;
}

/* FLOOR_DIV's Invoke checks every divisor for zero (-0.0f included) before it divides. */
static int32_t has_zero(const tg_dims *dims, const float *values)
{
    const int32_t size = dims->n * dims->h * dims->w * dims->c;
    for (int32_t i = 0; i < size; i++) {
        if (values[i] >= 0.0f && values[i] <= 0.0f) {
            return 1;
        }
    }
    return 0;
}

void tg_floor_div_f32(const tg_dims *input_1_dims, const float *input_1, const tg_dims *input_2_dims,
                      const float *input_2, const tg_dims *output_dims, float *output, int32_t *failed)
{
    *failed = has_zero(input_2_dims, input_2);
    if (!*failed) {
        tg_broadcast_binary_f32(floor_div, NULL, input_1_dims, input_1, input_2_dims, input_2, output_dims, output);
    }
}

/* FLOOR_MOD checks nothing: a zero divisor gives fmodf's NaN, as in TFLM. */
void tg_floor_mod_f32(const tg_dims *input_1_dims, const float *input_1, const tg_dims *input_2_dims,
                      const float *input_2, const tg_dims *output_dims, float *output, int32_t *failed)
{
    *failed = 0;
    tg_broadcast_binary_f32(floor_mod, NULL, input_1_dims, input_1, input_2_dims, input_2, output_dims, output);
}
