/* int4 weights as TFLM packs them: element i of the flat filter in byte i / 2, the low nibble for even i, the
 * high one for odd i (tensor_utils::UnpackDenseInt4IntoInt8). The s4 kernels unpack one block of filters at a
 * time into layer scratch and run their int8 code on it: flash keeps two weights per byte. */
#ifndef TG_INT4_H
#define TG_INT4_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* dst[j] = element first + j of the packed filter, sign-extended, for j < count. */
static inline void tg_unpack_int4(const int8_t *packed, int32_t first, int32_t count, int8_t *dst)
{
    const int8_t *src = packed + first / 2;
    int32_t j = 0;
    if (first % 2 != 0 && count > 0) { /* a filter starting at a high nibble */
        dst[j++] = (int8_t)(*src++ >> 4);
    }
    for (; j + 2 <= count; j += 2) {
        const int8_t byte = *src++;
        /* Shift left first so that the arithmetic shift right extends the low nibble's sign. */
        dst[j] = (int8_t)((int8_t)(byte * 16) >> 4);
        dst[j + 1] = (int8_t)(byte >> 4);
    }
    if (j < count) {
        dst[j] = (int8_t)((int8_t)(*src * 16) >> 4);
    }
}

#ifdef __cplusplus
}
#endif

#endif
