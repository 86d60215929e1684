/* MAXIMUM / MINIMUM, int8, int16, int32 and float32: TFLite's reference MaximumMinimumBroadcastSlow with TFLM's
 * MaximumOp (el1 > el2 ? el1 : el2) and MinimumOp (el1 < el2 ? el1 : el2): stored values compared as they are,
 * and for floats in that order, so a NaN second operand, or a tie of -0.0 and 0.0, gives the second. */
#include "tg_maximum_minimum.h"

#include "tg_broadcast.h"

#define TG_LARGER(a, b) ((a) > (b) ? (a) : (b))
#define TG_SMALLER(a, b) ((a) < (b) ? (a) : (b))

TG_DEFINE_BINARY_WALK(tg_maximum_s8, int8_t, TG_LARGER)
TG_DEFINE_BINARY_WALK(tg_minimum_s8, int8_t, TG_SMALLER)
TG_DEFINE_BINARY_WALK(tg_maximum_s16, int16_t, TG_LARGER)
TG_DEFINE_BINARY_WALK(tg_minimum_s16, int16_t, TG_SMALLER)
TG_DEFINE_BINARY_WALK(tg_maximum_s32, int32_t, TG_LARGER)
TG_DEFINE_BINARY_WALK(tg_minimum_s32, int32_t, TG_SMALLER)
TG_DEFINE_BINARY_WALK(tg_maximum_f32, float, TG_LARGER)
TG_DEFINE_BINARY_WALK(tg_minimum_f32, float, TG_SMALLER)
