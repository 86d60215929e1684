/* Table lookups, int8: TFLM's EvalUsingLookupTable. */
#include "tg_lut.h"

void tg_lut_s8(const int8_t *table, int32_t size, const int8_t *input, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        output[i] = table[(uint8_t)input[i]];
    }
}
