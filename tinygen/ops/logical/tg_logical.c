/* The logical operators: TFLite Micro's logical.cc (LogicalAnd, LogicalOr) and elementwise.cc (LogicalNot). */
#include "tg_logical.h"

#include "tg_broadcast.h"

#define TG_AND(x, y) (uint8_t)((x) && (y))
#define TG_OR(x, y) (uint8_t)((x) || (y))

void tg_logical_and_u8(const tg_dims *input_1_dims, const uint8_t *input_1, const tg_dims *input_2_dims,
                       const uint8_t *input_2, const tg_dims *output_dims, uint8_t *output)
{
    TG_BROADCAST_BINARY_WALK(uint8_t, uint8_t, TG_AND);
}

void tg_logical_or_u8(const tg_dims *input_1_dims, const uint8_t *input_1, const tg_dims *input_2_dims,
                      const uint8_t *input_2, const tg_dims *output_dims, uint8_t *output)
{
    TG_BROADCAST_BINARY_WALK(uint8_t, uint8_t, TG_OR);
}

void tg_logical_not_u8(const uint8_t *input, int32_t size, uint8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = (uint8_t)!input[i];
    }
}
