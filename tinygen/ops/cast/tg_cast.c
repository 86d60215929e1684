/* CAST: TFLM's copyCast, static_cast<To>(from) per element (micro/kernels/cast.cc). Integers narrow by wrapping
 * modulo 2^bits, as GCC and Clang do it; written here through unsigned arithmetic so that C defines every step.
 * A float becomes an integer by truncation toward zero; where it does not fit, C++ leaves the result undefined,
 * and tinygen gives what TFLM's host build computes (and Arm's VCVT): the nearest end of the range, NaN as 0. */
#include <math.h>

#include "tg_cast.h"
#include "tg_math.h"

static inline int32_t tg_cast_truncate(float x)
{
    if (isnan(x)) {
        return 0;
    }
    if (x >= 2147483648.0f) {
        return INT32_MAX;
    }
    return x > -2147483904.0f ? (int32_t)x : INT32_MIN;
}

static inline int8_t tg_cast_wrap_s8(int32_t v)
{
    return (int8_t)((int32_t)(((uint32_t)v & 0xFFu) ^ 0x80u) - 128);
}

static inline int16_t tg_cast_wrap_s16(int32_t v)
{
    return (int16_t)((int32_t)(((uint32_t)v & 0xFFFFu) ^ 0x8000u) - 32768);
}

/* One kernel: output[i] = convert(input[i]). */
#define TG_DEFINE_CAST(name, from_t, to_t, convert)                                     \
    void name(const from_t *input, int32_t size, to_t *output)                         \
    {                                                                                   \
        for (int32_t i = 0; i < size; ++i) {                                            \
            output[i] = convert(input[i]);                                              \
        }                                                                               \
    }

/* the element conversions: from an integer type (widened to int32), or from float */
#define TG_TO_S8(x) tg_cast_wrap_s8((int32_t)(x))
#define TG_TO_S16(x) tg_cast_wrap_s16((int32_t)(x))
#define TG_TO_S32(x) ((int32_t)(x))
#define TG_TO_F32(x) ((float)(x))
#define TG_F32_TO_S8(x) ((int8_t)TG_CLAMP(tg_cast_truncate(x), INT8_MIN, INT8_MAX))
#define TG_F32_TO_S16(x) ((int16_t)TG_CLAMP(tg_cast_truncate(x), INT16_MIN, INT16_MAX))

TG_DEFINE_CAST(tg_cast_s8_s8, int8_t, int8_t, TG_TO_S8)
TG_DEFINE_CAST(tg_cast_s8_s16, int8_t, int16_t, TG_TO_S16)
TG_DEFINE_CAST(tg_cast_s8_s32, int8_t, int32_t, TG_TO_S32)
TG_DEFINE_CAST(tg_cast_s8_f32, int8_t, float, TG_TO_F32)
TG_DEFINE_CAST(tg_cast_s16_s8, int16_t, int8_t, TG_TO_S8)
TG_DEFINE_CAST(tg_cast_s16_s16, int16_t, int16_t, TG_TO_S16)
TG_DEFINE_CAST(tg_cast_s16_s32, int16_t, int32_t, TG_TO_S32)
TG_DEFINE_CAST(tg_cast_s16_f32, int16_t, float, TG_TO_F32)
TG_DEFINE_CAST(tg_cast_s32_s8, int32_t, int8_t, TG_TO_S8)
TG_DEFINE_CAST(tg_cast_s32_s16, int32_t, int16_t, TG_TO_S16)
TG_DEFINE_CAST(tg_cast_s32_s32, int32_t, int32_t, TG_TO_S32)
TG_DEFINE_CAST(tg_cast_s32_f32, int32_t, float, TG_TO_F32)
TG_DEFINE_CAST(tg_cast_f32_s8, float, int8_t, TG_F32_TO_S8)
TG_DEFINE_CAST(tg_cast_f32_s16, float, int16_t, TG_F32_TO_S16)
TG_DEFINE_CAST(tg_cast_f32_s32, float, int32_t, tg_cast_truncate)
TG_DEFINE_CAST(tg_cast_f32_f32, float, float, TG_TO_F32)
TG_DEFINE_CAST(tg_cast_b_s8, uint8_t, int8_t, TG_TO_S8)
TG_DEFINE_CAST(tg_cast_b_s16, uint8_t, int16_t, TG_TO_S16)
TG_DEFINE_CAST(tg_cast_b_s32, uint8_t, int32_t, TG_TO_S32)
TG_DEFINE_CAST(tg_cast_b_f32, uint8_t, float, TG_TO_F32)
