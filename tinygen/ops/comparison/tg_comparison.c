/* The comparisons: TFLite Micro's comparisons.cc, int8 operands rescaled as its ComparisonWithScaling. */
#include "tg_comparison.h"

#include "tg_broadcast.h"
#include "tg_math.h"

/* The truth table indexed by the sign of a - b: one branch-free kernel serves all six comparisons. */
static inline uint8_t compare(int32_t truth, int32_t a, int32_t b)
{
    return (uint8_t)((truth >> ((a > b) - (a < b) + 1)) & 1);
}

/* ((x + offset) · 2^left_shift) · mult · 2^shift, TFLM's MultiplyByQuantizedMultiplierSmallerThanOneExp: the
 * shifted value is at most 255 · 2^8, far inside int32. */
static inline int32_t rescale(int32_t x, int32_t offset, int32_t left_shift, int32_t mult, int32_t shift)
{
    return tg_requantize((x + offset) * ((int32_t)1 << left_shift), mult, shift);
}

void tg_comparison_s8(const tg_comparison_params *params, const tg_dims *input_1_dims, const int8_t *input_1,
                      const tg_dims *input_2_dims, const int8_t *input_2, const tg_dims *output_dims,
                      uint8_t *output)
{
    const tg_comparison_params p = *params; /* a copy: the uint8_t stores may alias *params (no reloads) */
#define TG_SCALED_COMPARE(x, y)                                                                                \
    compare(p.truth, rescale((x), p.input_1_offset, p.left_shift, p.input_1_mult, p.input_1_shift),            \
            rescale((y), p.input_2_offset, p.left_shift, p.input_2_mult, p.input_2_shift))
    TG_BROADCAST_BINARY_WALK(int8_t, int8_t, TG_SCALED_COMPARE);
#undef TG_SCALED_COMPARE
}

#define TG_STORED_COMPARE(x, y) compare(truth, (x), (y))

void tg_comparison_s32(const tg_comparison_params *params, const tg_dims *input_1_dims, const int32_t *input_1,
                       const tg_dims *input_2_dims, const int32_t *input_2, const tg_dims *output_dims,
                       uint8_t *output)
{
    const int32_t truth = params->truth;
    TG_BROADCAST_BINARY_WALK(int32_t, int32_t, TG_STORED_COMPARE);
}

void tg_comparison_u8(const tg_comparison_params *params, const tg_dims *input_1_dims, const uint8_t *input_1,
                      const tg_dims *input_2_dims, const uint8_t *input_2, const tg_dims *output_dims,
                      uint8_t *output)
{
    const int32_t truth = params->truth;
    TG_BROADCAST_BINARY_WALK(uint8_t, uint8_t, TG_STORED_COMPARE);
}
