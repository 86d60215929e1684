/* The logical operators: TFLite Micro's logical.cc (LogicalAnd, LogicalOr) and elementwise.cc (LogicalNot). */
#include "tg_logical.h"

#include "tg_broadcast.h"

#define TG_AND(x, y) (uint8_t)((x) && (y))
#define TG_OR(x, y) (uint8_t)((x) || (y))

TG_DEFINE_BINARY_WALK(tg_logical_and_u8, uint8_t, TG_AND)
TG_DEFINE_BINARY_WALK(tg_logical_or_u8, uint8_t, TG_OR)

void tg_logical_not_u8(const uint8_t *input, int32_t size, uint8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = (uint8_t)!input[i];
    }
}
