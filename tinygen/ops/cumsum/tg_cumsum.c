/* CUMSUM, int8: TFLite's reference_ops::CumSum (quantized). */
#include "tg_cumsum.h"

#include "tg_fixedpoint.h"
#include "tg_math.h"

#define CUMSUM_LEFT_SHIFT 20  /* TFLM's kCumSumIntegerShift */

static int32_t scale_input(const tg_cumsum_params *p, int32_t y)
{
    return tg_requantize(y * ((int32_t)1 << CUMSUM_LEFT_SHIFT), p->input_multiplier, p->input_shift);
}

void tg_cumsum_s8(const tg_cumsum_params *params, const int8_t *input, int32_t outer, int32_t depth, int32_t inner,
                  int32_t exclusive, int32_t reverse, int8_t *output)
{
    for (int32_t o = 0; o < outer; ++o) {
        for (int32_t i = 0; i < inner; ++i) {
            /* TFLM starts from the input offset (-zero point), rescaled, not from 0. The sum wraps as two's
             * complement past int32, as TFLM's adds do (rows long enough to reach it: see the lowering). */
            int32_t acc = scale_input(params, params->input_offset);
            for (int32_t k = 0; k < depth; ++k) {
                const int32_t d = reverse ? depth - 1 - k : k;
                const int32_t index = (o * depth + d) * inner + i;
                /* Element `index` is read just before it is written and never again: safe in place. */
                const int32_t scaled = scale_input(params, params->input_offset + input[index]);
                int32_t sum;
                if (exclusive) {
                    sum = acc;
                    acc = tg_fp_add(acc, scaled);
                } else {
                    acc = tg_fp_add(acc, scaled);
                    sum = acc;
                }
                const int32_t y = tg_requantize(sum, params->output_multiplier, params->output_shift) +
                                  params->output_offset;
                output[index] = (int8_t)TG_CLAMP(y, INT8_MIN, INT8_MAX);
            }
        }
    }
}
