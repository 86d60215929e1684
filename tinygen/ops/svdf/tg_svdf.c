/* SVDF, int8 input and output: TFLM's EvalIntegerSvdfReference (micro/kernels/svdf_common.cc), with the state
 * and time weights int16 or int8 (T below). Per batch:
 *   1. the state [filters][memory] moves one element towards the front (its oldest values drop out);
 *   2. each filter's feature product is requantized into T's range, plus the state's zero point, and becomes
 *      that filter's newest state value;
 *   3. each unit sums its `rank` filters' time products (state - zero point) x time weights, plus its bias,
 *      and is requantized to int8. TFLM applies no fused activation here, nor does this kernel.
 * TFLM's time sums are plain int32 additions that may overflow (wrapping on every target it runs on); here they
 * wrap by definition (uint32_t), in any order, which gives the same bits as its per-filter sums. */
#include <string.h>

#include "tg_math.h"
#include "tg_svdf.h"

#if defined(__GNUC__) || defined(__clang__)
#define TG_SVDF_INLINE static inline __attribute__((always_inline))
#else
#define TG_SVDF_INLINE static inline
#endif

/* v in [-2^width, 2^width) wrapped into T's range, as TFLM's store of zero point + value into T does. */
static inline int32_t tg_svdf_wrap(int32_t v, int32_t width)
{
    const int32_t half = (int32_t)1 << (width - 1);
    return v >= half ? v - 2 * half : v < -half ? v + 2 * half : v;
}

/* `wide`: T is int16_t (else int8_t); a constant in each caller, so each gets its own loops. */
TG_SVDF_INLINE int32_t tg_svdf_get(const void *data, int32_t i, int wide)
{
    return wide ? ((const int16_t *)data)[i] : ((const int8_t *)data)[i];
}

TG_SVDF_INLINE void tg_svdf(const tg_svdf_params *p, const int8_t *input, const int8_t *weights_feature,
                            const void *weights_time, const int32_t *bias, void *state, int8_t *output, int wide)
{
    const int32_t filters = p->units * p->rank;
    const int32_t width = wide ? 16 : 8;
    const int32_t lo = -((int32_t)1 << (width - 1)), hi = ((int32_t)1 << (width - 1)) - 1;
    const size_t element = wide ? sizeof(int16_t) : sizeof(int8_t);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *x = input + b * p->input_size;
        void *s = (int8_t *)state + (size_t)b * (size_t)(filters * p->memory) * element;
        memmove(s, (int8_t *)s + element, (size_t)(filters * p->memory - 1) * element);
        for (int32_t f = 0; f < filters; ++f) {
            const int8_t *w = weights_feature + f * p->input_size;
            int32_t acc = 0;
            for (int32_t c = 0; c < p->input_size; ++c) {
                acc += w[c] * (x[c] + p->input_offset);
            }
            acc = TG_CLAMP(tg_requantize(acc, p->feature_mult, p->feature_shift), lo, hi);
            const int32_t value = tg_svdf_wrap(p->state_zero_point + acc, width);
            const int32_t newest = f * p->memory + p->memory - 1;
            if (wide) {
                ((int16_t *)s)[newest] = (int16_t)value;
            } else {
                ((int8_t *)s)[newest] = (int8_t)value;
            }
        }
        for (int32_t u = 0; u < p->units; ++u) {
            uint32_t sum = (uint32_t)bias[u];
            for (int32_t i = u * p->rank * p->memory; i < (u + 1) * p->rank * p->memory; ++i) {
                sum += (uint32_t)(tg_svdf_get(weights_time, i, wide) * (tg_svdf_get(s, i, wide) - p->state_zero_point));
            }
            const int32_t y = tg_requantize(tg_wrap_s32(sum), p->time_mult, p->time_shift) + p->output_zero_point;
            output[b * p->units + u] = (int8_t)TG_CLAMP(y, INT8_MIN, INT8_MAX);
        }
    }
}

void tg_svdf_s8_s16(const tg_svdf_params *p, const int8_t *input, const int8_t *weights_feature,
                    const int16_t *weights_time, const int32_t *bias, int16_t *state, int8_t *output)
{
    tg_svdf(p, input, weights_feature, weights_time, bias, state, output, 1);
}

void tg_svdf_s8_s8(const tg_svdf_params *p, const int8_t *input, const int8_t *weights_feature,
                   const int8_t *weights_time, const int32_t *bias, int8_t *state, int8_t *output)
{
    tg_svdf(p, input, weights_feature, weights_time, bias, state, output, 0);
}
