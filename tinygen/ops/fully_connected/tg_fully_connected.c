/* FULLY_CONNECTED, int8 and 16x8: TFLite reference integer_ops::FullyConnected; float32: FullyConnected<float>. */
#include <stddef.h>

#include "tg_int4.h"
#include "tg_math.h"
#include "tg_fully_connected.h"

/* One output of one batch: the requantized, clamped sum(w * (x + off)) + bias, as the reference computes it. */
static inline int8_t fc_output(const tg_fc_params *p, int32_t mult, int32_t shift, int32_t accum, const int8_t *x,
                               const int8_t *w, const int32_t *bias)
{
    /* sum(w * (x + off)) = sum(w * x) + off * sum(w): keeps the inner loop a plain dot product. */
    int32_t dot = 0, wsum = 0;
    for (int32_t d = 0; d < accum; ++d) {
        dot += (int32_t)w[d] * (int32_t)x[d];
        wsum += w[d];
    }
    int32_t acc = dot + p->input_offset * wsum;
    if (bias) {
        acc += *bias;
    }
    acc = tg_requantize(acc, mult, shift) + p->output_offset;
    return (int8_t)TG_CLAMP(acc, p->activation.min, p->activation.max);
}

static void fully_connected(const tg_fc_params *p, const int32_t *mult, const int32_t *shift, int per_channel,
                            int32_t batches, int32_t accum, int32_t out_depth, const int8_t *input,
                            const int8_t *filter, const int32_t *bias, int8_t *output)
{
    for (int32_t b = 0; b < batches; ++b) {
        for (int32_t oc = 0; oc < out_depth; ++oc) {
            const int32_t k = per_channel ? oc : 0;
            output[b * out_depth + oc] = fc_output(p, mult[k], shift[k], accum, input + b * accum,
                                                   filter + oc * accum, bias ? bias + oc : NULL);
        }
    }
}

/* int4 weights (per tensor: TFLM has no per-channel int4 FULLY_CONNECTED): the filter row by row unpacked into
 * `row` (accum bytes of scratch), each row serving every batch. */
static void fully_connected_s4(const tg_fc_params *p, int32_t mult, int32_t shift, int32_t batches,
                               int32_t accum, int32_t out_depth, const int8_t *input, const int8_t *packed_filter,
                               const int32_t *bias, int8_t *row, int8_t *output)
{
    for (int32_t oc = 0; oc < out_depth; ++oc) {
        tg_unpack_int4(packed_filter, oc * accum, accum, row);
        for (int32_t b = 0; b < batches; ++b) {
            output[b * out_depth + oc] = fc_output(p, mult, shift, accum, input + b * accum, row,
                                                   bias ? bias + oc : NULL);
        }
    }
}

void tg_fully_connected_s8(const tg_context *ctx, const tg_fc_params *fc_params,
                           const tg_per_tensor_quant_params *quant_params, const tg_dims *input_dims,
                           const int8_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                           const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                           int8_t *output_data)
{
    (void)ctx;
    (void)bias_dims;
    (void)output_dims;
    fully_connected(fc_params, &quant_params->multiplier, &quant_params->shift, 0, input_dims->n, filter_dims->n,
                    filter_dims->c, input_data, filter_data, bias_data, output_data);
}

void tg_fully_connected_per_channel_s8(const tg_context *ctx, const tg_fc_params *fc_params,
                                       const tg_per_channel_quant_params *quant_params,
                                       const tg_dims *input_dims, const int8_t *input_data,
                                       const tg_dims *filter_dims, const int8_t *filter_data,
                                       const tg_dims *bias_dims, const int32_t *bias_data,
                                       const tg_dims *output_dims, int8_t *output_data)
{
    (void)ctx;
    (void)bias_dims;
    (void)output_dims;
    fully_connected(fc_params, quant_params->multiplier, quant_params->shift, 1, input_dims->n, filter_dims->n,
                    filter_dims->c, input_data, filter_data, bias_data, output_data);
}

void tg_fully_connected_s4(const tg_context *ctx, const tg_fc_params *fc_params,
                           const tg_per_tensor_quant_params *quant_params, const tg_dims *input_dims,
                           const int8_t *input_data, const tg_dims *filter_dims, const int8_t *packed_filter_data,
                           const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                           int8_t *output_data)
{
    (void)bias_dims;
    (void)output_dims;
    fully_connected_s4(fc_params, quant_params->multiplier, quant_params->shift, input_dims->n, filter_dims->n,
                       filter_dims->c, input_data, packed_filter_data, bias_data, (int8_t *)ctx->buf, output_data);
}

/* 16x8 (int16 inputs and outputs, int8 weights): TFLite reference integer_ops::FullyConnectedPerChannel with a
 * per-channel multiplier for every output (the lowering expands a per-tensor one). The sum is taken in int64:
 * with an int32 bias TFLM accumulates in int32, but the verifier proved that sum cannot overflow, so the two
 * agree; what differs is the rescale: the int64 form of MultiplyByQuantizedMultiplier for an int64 accumulator
 * (int64 bias), the int32 one otherwise. */
static void fully_connected_s16(const tg_fc_params *p, const tg_per_channel_quant_params *q, int32_t batches,
                                int32_t accum, int32_t out_depth, const int16_t *input, const int8_t *filter,
                                const int64_t *bias64, const int32_t *bias32, int16_t *output)
{
    const int32_t in_off = p->input_offset;
    for (int32_t b = 0; b < batches; ++b) {
        const int16_t *x = input + b * accum;
        for (int32_t oc = 0; oc < out_depth; ++oc) {
            const int8_t *w = filter + oc * accum;
            int64_t acc = 0;
            for (int32_t d = 0; d < accum; ++d) {
                acc += (int32_t)w[d] * ((int32_t)x[d] + in_off);  /* |product| < 2^23 */
            }
            int32_t scaled;
            if (bias64) {
                scaled = tg_requantize_s64(acc + bias64[oc], q->multiplier[oc], q->shift[oc]);
            } else {
                scaled = tg_requantize((int32_t)acc + bias32[oc], q->multiplier[oc], q->shift[oc]);
            }
            scaled += p->output_offset;
            output[b * out_depth + oc] = (int16_t)TG_CLAMP(scaled, p->activation.min, p->activation.max);
        }
    }
}

void tg_fully_connected_s16(const tg_context *ctx, const tg_fc_params *fc_params,
                            const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                            const int16_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                            const tg_dims *bias_dims, const int64_t *bias_data, const tg_dims *output_dims,
                            int16_t *output_data)
{
    (void)ctx;
    (void)bias_dims;
    (void)output_dims;
    fully_connected_s16(fc_params, quant_params, input_dims->n, filter_dims->n, filter_dims->c, input_data,
                        filter_data, bias_data, NULL, output_data);
}

void tg_fully_connected_s16_acc32(const tg_context *ctx, const tg_fc_params *fc_params,
                                  const tg_per_channel_quant_params *quant_params, const tg_dims *input_dims,
                                  const int16_t *input_data, const tg_dims *filter_dims, const int8_t *filter_data,
                                  const tg_dims *bias_dims, const int32_t *bias_data, const tg_dims *output_dims,
                                  int16_t *output_data)
{
    (void)ctx;
    (void)bias_dims;
    (void)output_dims;
    fully_connected_s16(fc_params, quant_params, input_dims->n, filter_dims->n, filter_dims->c, input_data,
                        filter_data, NULL, bias_data, output_data);
}

void tg_fully_connected_f32(const tg_fc_f32_params *p, const float *input, const float *filter, const float *bias,
                            float *output)
{
    for (int32_t b = 0; b < p->batches; b++) {
        const float *row_in = input + b * p->accum;
        for (int32_t oc = 0; oc < p->out_depth; oc++) {
            const float *row_w = filter + oc * p->accum;
            float total = 0.0f;
            for (int32_t d = 0; d < p->accum; d++) {
                total += row_in[d] * row_w[d];
            }
            /* TFLM adds 0.0f without a bias: -0.0f becomes +0.0f there too. */
            const float bias_value = bias != NULL ? bias[oc] : 0.0f;
            output[b * p->out_depth + oc] = tg_clamp_f32(total + bias_value, p->activation);
        }
    }
}
