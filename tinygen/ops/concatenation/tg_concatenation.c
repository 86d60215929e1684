/* CONCATENATION, int8: TFLite reference Concatenation is a byte copy (Prepare requires equal quantization).
 * One call per input, CMSIS-NN's arm_concatenation_s8_{x,y,z,w} arguments: tensors are [w][z][y][x], x innermost;
 * the input lands at `offset` along the named axis of the output. */
#include <string.h>

#include "tg_concatenation.h"

/* rows of row_size bytes, read back to back, written every out_stride bytes. */
static void copy_rows(const int8_t *input, uint32_t rows, uint32_t row_size, int8_t *output, uint32_t out_stride)
{
    for (uint32_t i = 0; i < rows; ++i) {
        memcpy(output, input, row_size);
        input += row_size;
        output += out_stride;
    }
}

void tg_concatenation_s8_x(const int8_t *input, uint16_t input_x, uint16_t input_y, uint16_t input_z,
                           uint16_t input_w, int8_t *output, uint16_t output_x, uint32_t offset_x)
{
    copy_rows(input, (uint32_t)input_y * input_z * input_w, input_x, output + offset_x, output_x);
}

void tg_concatenation_s8_y(const int8_t *input, uint16_t input_x, uint16_t input_y, uint16_t input_z,
                           uint16_t input_w, int8_t *output, uint16_t output_y, uint32_t offset_y)
{
    const uint32_t plane = input_x;
    copy_rows(input, (uint32_t)input_z * input_w, plane * input_y, output + plane * offset_y, plane * output_y);
}

void tg_concatenation_s8_z(const int8_t *input, uint16_t input_x, uint16_t input_y, uint16_t input_z,
                           uint16_t input_w, int8_t *output, uint16_t output_z, uint32_t offset_z)
{
    const uint32_t plane = (uint32_t)input_x * input_y;
    copy_rows(input, input_w, plane * input_z, output + plane * offset_z, plane * output_z);
}

void tg_concatenation_s8_w(const int8_t *input, uint16_t input_x, uint16_t input_y, uint16_t input_z,
                           uint16_t input_w, int8_t *output, uint32_t offset_w)
{
    const uint32_t block = (uint32_t)input_x * input_y * input_z;
    memcpy(output + block * offset_w, input, block * input_w);
}
