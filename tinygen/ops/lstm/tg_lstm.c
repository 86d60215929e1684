/* UNIDIRECTIONAL_SEQUENCE_LSTM: TFLM's integer EvalLstm (micro/kernels/lstm_eval.h, lstm_eval.cc) with int8
 * (int32 bias) or int16 (int64 bias) activations, int8 weights and an int16 cell state. Per time step, over
 * the step's rows (every batch when time-major, else one):
 *   1. each gate is two fully connected products into Q3.12, each clamped to int16, added with saturation,
 *      then sigmoid (forget, input, output gates) or tanh (cell gate), Q0.15;
 *   2. cell = sat(forget x cell + input gate x cell gate), each product requantized and clamped to int16,
 *      then clipped to +-cell_clip if the model sets one;
 *   3. hidden = tanh(cell) x output gate, requantized to the hidden state's type; the output is a copy.
 * TFLM computes each step array by array; every step is elementwise, so here one pass per element gives the
 * same values. The zero-point products TFLM adds in its loops are folded into the biases offline; the int8
 * sums wrap as uint32 (any order gives TFLM's bits where its own int32 sum does not overflow, which the
 * lowering checks). */
#include <string.h>

#include "tg_lstm.h"
#include "tg_math.h"
#include "tg_sigmoid16.h"

#if defined(__GNUC__) || defined(__clang__)
#define TG_LSTM_INLINE static inline __attribute__((always_inline))
#else
#define TG_LSTM_INLINE static inline
#endif

/* `wide` (below): the activations are int16_t and the biases int64_t (else int8_t and int32_t); a constant in
 * each caller, so each gets its own loops. */

/* Row r of x [rows][depth] times weights [units][depth] for unit u, plus bias[u], requantized into Q3.12 and
 * clamped to int16 (TFLM's FullyConnected with an int16 output and no activation). */
TG_LSTM_INLINE int32_t tg_lstm_product(const void *x, int32_t r, int32_t depth, const int8_t *weights,
                                       const void *bias, int32_t u, int32_t mult, int32_t shift, int wide)
{
    const int8_t *w = weights + u * depth;
    int32_t y;
    if (wide) {
        const int16_t *row = (const int16_t *)x + r * depth;
        int64_t acc = ((const int64_t *)bias)[u];
        for (int32_t d = 0; d < depth; ++d) {
            acc += w[d] * row[d];
        }
        y = tg_requantize_s64(acc, mult, shift);
    } else {
        const int8_t *row = (const int8_t *)x + r * depth;
        uint32_t acc = (uint32_t)((const int32_t *)bias)[u];
        for (int32_t d = 0; d < depth; ++d) {
            acc += (uint32_t)(w[d] * row[d]);
        }
        y = tg_requantize(tg_wrap_s32(acc), mult, shift);
    }
    return TG_CLAMP(y, INT16_MIN, INT16_MAX);
}

/* One gate over the step's rows into out [rows][units], Q0.15. */
TG_LSTM_INLINE void tg_lstm_gate(const tg_lstm_params *p, int32_t gate, int32_t rows, const void *x,
                                 const void *hidden, const int8_t *input_weights, const int8_t *recurrent_weights,
                                 const void *input_bias, const void *recurrent_bias, int16_t *out, int wide)
{
    const tg_lstm_gate_params *g = &p->gate[gate];
    const size_t bias_size = wide ? sizeof(int64_t) : sizeof(int32_t);
    const int8_t *wx = input_weights + gate * p->units * p->input_size;
    const int8_t *wh = recurrent_weights + gate * p->units * p->units;
    const void *bx = (const int8_t *)input_bias + (size_t)(gate * p->units) * bias_size;
    const void *bh = (const int8_t *)recurrent_bias + (size_t)(gate * p->units) * bias_size;
    for (int32_t r = 0; r < rows; ++r) {
        for (int32_t u = 0; u < p->units; ++u) {
            const int32_t sum = tg_lstm_product(x, r, p->input_size, wx, bx, u, g->input_mult, g->input_shift, wide)
                + tg_lstm_product(hidden, r, p->units, wh, bh, u, g->recurrent_mult, g->recurrent_shift, wide);
            /* Q3.12 times 3 spans the table's [-10.7, 10.7] (TFLM's Sigmoid, and its Tanh with power -12). */
            const int32_t scaled = 3 * TG_CLAMP(sum, INT16_MIN, INT16_MAX);
            out[r * p->units + u] = gate == TG_LSTM_CELL ? tg_tanh16(scaled) : tg_logistic16(scaled);
        }
    }
}

/* One time step: x [rows][input_size], hidden and cell [rows][units], out [rows][units]. */
TG_LSTM_INLINE void tg_lstm_step(const tg_lstm_params *p, int32_t rows, const void *x, const int8_t *input_weights,
                                 const int8_t *recurrent_weights, const void *input_bias,
                                 const void *recurrent_bias, void *hidden, int16_t *cell, int16_t *scratch,
                                 void *out, int wide)
{
    const int32_t n = rows * p->units;
    int16_t *forget = scratch, *input_gate = scratch + n, *cell_gate = scratch + 2 * n;
    tg_lstm_gate(p, TG_LSTM_FORGET, rows, x, hidden, input_weights, recurrent_weights, input_bias,
                 recurrent_bias, forget, wide);
    tg_lstm_gate(p, TG_LSTM_INPUT, rows, x, hidden, input_weights, recurrent_weights, input_bias,
                 recurrent_bias, input_gate, wide);
    tg_lstm_gate(p, TG_LSTM_CELL, rows, x, hidden, input_weights, recurrent_weights, input_bias,
                 recurrent_bias, cell_gate, wide);
    for (int32_t i = 0; i < n; ++i) {
        const int32_t kept = tg_requantize(forget[i] * cell[i], p->forget_mult, p->forget_shift);
        const int32_t added = tg_requantize(input_gate[i] * cell_gate[i], p->update_mult, p->update_shift);
        int32_t c = TG_CLAMP(TG_CLAMP(kept, INT16_MIN, INT16_MAX) + TG_CLAMP(added, INT16_MIN, INT16_MAX),
                             INT16_MIN, INT16_MAX);
        if (p->cell_clip >= 0) {
            c = TG_CLAMP(c, -p->cell_clip, p->cell_clip);
        }
        cell[i] = (int16_t)c;
    }
    /* The output gate reads the hidden state before this step's update: it goes to the forget gate's buffer. */
    int16_t *output_gate = forget;
    tg_lstm_gate(p, TG_LSTM_OUTPUT, rows, x, hidden, input_weights, recurrent_weights, input_bias,
                 recurrent_bias, output_gate, wide);
    const int32_t lo = wide ? INT16_MIN : INT8_MIN, hi = wide ? INT16_MAX : INT8_MAX;
    for (int32_t i = 0; i < n; ++i) {
        const int32_t t = tg_tanh16(tg_sigmoid16_scale(cell[i], p->cell_tanh_mult, p->cell_tanh_shift));
        const int32_t h = tg_requantize(t * output_gate[i], p->hidden_mult, p->hidden_shift) + p->hidden_zero_point;
        if (wide) {
            ((int16_t *)hidden)[i] = (int16_t)TG_CLAMP(h, lo, hi);
        } else {
            ((int8_t *)hidden)[i] = (int8_t)TG_CLAMP(h, lo, hi);
        }
    }
    memcpy(out, hidden, (size_t)n * (wide ? sizeof(int16_t) : sizeof(int8_t)));
}

TG_LSTM_INLINE void tg_lstm(const tg_lstm_params *p, const void *input, const int8_t *input_weights,
                            const int8_t *recurrent_weights, const void *input_bias, const void *recurrent_bias,
                            void *hidden_state, int16_t *cell_state, int16_t *scratch, void *output, int wide)
{
    const size_t element = wide ? sizeof(int16_t) : sizeof(int8_t);
    const int8_t *x = (const int8_t *)input;
    int8_t *y = (int8_t *)output;
    if (p->time_major) {
        const size_t x_step = (size_t)(p->batches * p->input_size) * element;
        const size_t y_step = (size_t)(p->batches * p->units) * element;
        for (int32_t t = 0; t < p->time_steps; ++t) {
            tg_lstm_step(p, p->batches, x + (size_t)t * x_step, input_weights, recurrent_weights, input_bias,
                         recurrent_bias, hidden_state, cell_state, scratch, y + (size_t)t * y_step, wide);
        }
        return;
    }
    for (int32_t b = 0; b < p->batches; ++b) {
        void *hidden = (int8_t *)hidden_state + (size_t)(b * p->units) * element;
        int16_t *cell = cell_state + b * p->units;
        for (int32_t t = 0; t < p->time_steps; ++t) {
            const int32_t row = b * p->time_steps + t;
            tg_lstm_step(p, 1, x + (size_t)(row * p->input_size) * element, input_weights, recurrent_weights,
                         input_bias, recurrent_bias, hidden, cell, scratch, y + (size_t)(row * p->units) * element,
                         wide);
        }
    }
}

void tg_lstm_s8(const tg_lstm_params *p, const int8_t *input, const int8_t *input_weights,
                const int8_t *recurrent_weights, const int32_t *input_bias, const int32_t *recurrent_bias,
                int8_t *hidden_state, int16_t *cell_state, int16_t *scratch, int8_t *output)
{
    tg_lstm(p, input, input_weights, recurrent_weights, input_bias, recurrent_bias, hidden_state, cell_state,
            scratch, output, 0);
}

void tg_lstm_s16(const tg_lstm_params *p, const int16_t *input, const int8_t *input_weights,
                 const int8_t *recurrent_weights, const int64_t *input_bias, const int64_t *recurrent_bias,
                 int16_t *hidden_state, int16_t *cell_state, int16_t *scratch, int16_t *output)
{
    tg_lstm(p, input, input_weights, recurrent_weights, input_bias, recurrent_bias, hidden_state, cell_state,
            scratch, output, 1);
}
