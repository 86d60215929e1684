/* UNIDIRECTIONAL_SEQUENCE_LSTM, float32: TFLM's EvalLstm<float, float, float, float> (micro/kernels/lstm_eval.h,
 * lstm_eval.cc). Per time step, over the step's rows (every batch when time-major, else one):
 *   1. each gate = FullyConnected(input, input weights, bias) + FullyConnected(hidden, recurrent weights, no
 *      bias), each clamped to the float range as kTfLiteActNone's FullyConnected does, then sigmoid (forget,
 *      input, output gates) or tanh (cell gate);
 *   2. cell = forget x cell + input gate x cell gate (each product clamped as reference Mul does), then
 *      clipped to +-cell_clip if the model sets one;
 *   3. hidden = tanh(cell) x output gate; the output is a copy.
 * Every step after the products is elementwise, so one pass per element computes what TFLM's array-by-array
 * passes do, each float operation in TFLM's order (built without contraction into fused multiply-adds). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "tg_common.h"
#include "tg_float_math.h"
#include "tg_lstm.h"

/* kTfLiteActNone's float range: std::min(std::max(x, lowest), max) turns infinities into the largest floats. */
static const tg_activation_f32 tg_lstm_unclamped = {-FLT_MAX, FLT_MAX};

/* weights row u . x (TFLM's FullyConnected<float>: products summed in order from 0), plus bias, clamped. */
static float tg_lstm_dot_f32(const float *x, const float *weights, int32_t depth, float bias)
{
    float total = 0.0f;
    for (int32_t d = 0; d < depth; ++d) {
        total += x[d] * weights[d];
    }
    return tg_clamp_f32(total + bias, tg_lstm_unclamped);
}

/* One gate over the step's rows into out [rows][units]. */
static void tg_lstm_gate_f32(const tg_lstm_f32_params *p, int32_t gate, int32_t rows, const float *x,
                             const float *hidden, const float *input_weights, const float *recurrent_weights,
                             const float *bias, float *out)
{
    const float *wx = input_weights + gate * p->units * p->input_size;
    const float *wh = recurrent_weights + gate * p->units * p->units;
    for (int32_t r = 0; r < rows; ++r) {
        for (int32_t u = 0; u < p->units; ++u) {
            /* the recurrent product has no bias: TFLM adds 0.0f (-0.0f becomes +0.0f) */
            const float sum = tg_lstm_dot_f32(x + r * p->input_size, wx + u * p->input_size, p->input_size,
                                              bias[gate * p->units + u]) +
                              tg_lstm_dot_f32(hidden + r * p->units, wh + u * p->units, p->units, 0.0f);
            out[r * p->units + u] = gate == TG_LSTM_CELL ? tanhf(sum) : tg_sigmoid_f32(sum);
        }
    }
}

/* One time step: x [rows][input_size], hidden and cell [rows][units], out [rows][units]. */
static void tg_lstm_step_f32(const tg_lstm_f32_params *p, int32_t rows, const float *x, const float *input_weights,
                             const float *recurrent_weights, const float *bias, float *hidden, float *cell,
                             float *scratch, float *out)
{
    const int32_t n = rows * p->units;
    float *forget = scratch, *input_gate = scratch + n, *cell_gate = scratch + 2 * n;
    tg_lstm_gate_f32(p, TG_LSTM_FORGET, rows, x, hidden, input_weights, recurrent_weights, bias, forget);
    tg_lstm_gate_f32(p, TG_LSTM_INPUT, rows, x, hidden, input_weights, recurrent_weights, bias, input_gate);
    tg_lstm_gate_f32(p, TG_LSTM_CELL, rows, x, hidden, input_weights, recurrent_weights, bias, cell_gate);
    for (int32_t i = 0; i < n; ++i) {
        const float kept = tg_clamp_f32(forget[i] * cell[i], tg_lstm_unclamped);
        const float added = tg_clamp_f32(input_gate[i] * cell_gate[i], tg_lstm_unclamped);
        float c = kept + added;
        if (p->cell_clip > 0.0f) {
            /* std::max(std::min(clip, c), -clip), in that comparison order (a NaN becomes the clip) */
            const float low = c < p->cell_clip ? c : p->cell_clip;
            c = low < -p->cell_clip ? -p->cell_clip : low;
        }
        cell[i] = c;
    }
    /* The output gate reads the hidden state before this step's update: it goes to the forget gate's buffer. */
    float *output_gate = forget;
    tg_lstm_gate_f32(p, TG_LSTM_OUTPUT, rows, x, hidden, input_weights, recurrent_weights, bias, output_gate);
    for (int32_t i = 0; i < n; ++i) {
        hidden[i] = tg_clamp_f32(tanhf(cell[i]) * output_gate[i], tg_lstm_unclamped);
    }
    memcpy(out, hidden, (size_t)n * sizeof(float));
}

void tg_lstm_f32(const tg_lstm_f32_params *p, const float *input, const float *input_weights,
                 const float *recurrent_weights, const float *bias, float *hidden_state, float *cell_state,
                 float *scratch, float *output)
{
    if (p->time_major) {
        for (int32_t t = 0; t < p->time_steps; ++t) {
            tg_lstm_step_f32(p, p->batches, input + t * p->batches * p->input_size, input_weights,
                             recurrent_weights, bias, hidden_state, cell_state, scratch,
                             output + t * p->batches * p->units);
        }
        return;
    }
    for (int32_t b = 0; b < p->batches; ++b) {
        for (int32_t t = 0; t < p->time_steps; ++t) {
            const int32_t row = b * p->time_steps + t;
            tg_lstm_step_f32(p, 1, input + row * p->input_size, input_weights, recurrent_weights, bias,
                             hidden_state + b * p->units, cell_state + b * p->units, scratch,
                             output + row * p->units);
        }
    }
}
