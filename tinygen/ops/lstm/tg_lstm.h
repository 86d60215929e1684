/* UNIDIRECTIONAL_SEQUENCE_LSTM kernels: int8 or int16 activations, int8 weights, int16 cell state (tg_lstm.c);
 * float32 (tg_lstm_f32.c). */
#ifndef TG_LSTM_H
#define TG_LSTM_H

#include <stdint.h>

#include "tg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The gates in the order of the weights and biases: [gate][unit][...]. */
enum { TG_LSTM_FORGET = 0, TG_LSTM_INPUT = 1, TG_LSTM_CELL = 2, TG_LSTM_OUTPUT = 3, TG_LSTM_GATES = 4 };

typedef struct {
    int32_t input_mult, input_shift; /* input x input weights -> Q3.12 */
    int32_t recurrent_mult, recurrent_shift; /* hidden state x recurrent weights -> Q3.12 */
} tg_lstm_gate_params;

typedef struct {
    int32_t batches;
    int32_t time_steps;
    int32_t input_size;
    int32_t units; /* the state dimension */
    int32_t time_major; /* input and output [time][batch][...] (else [batch][time][...]) */
    tg_lstm_gate_params gate[TG_LSTM_GATES];
    int32_t forget_mult, forget_shift; /* forget gate x cell state -> cell state */
    int32_t update_mult, update_shift; /* input gate x cell gate -> cell state */
    int32_t hidden_mult, hidden_shift; /* tanh(cell state) x output gate -> hidden state */
    int32_t hidden_zero_point;
    int32_t cell_clip; /* |cell state| <= cell_clip; -1: not clipped */
    int32_t cell_tanh_mult, cell_tanh_shift; /* the cell state scaled for the sigmoid table */
} tg_lstm_params;

/* input_weights [gate][units][input_size], recurrent_weights [gate][units][units]; the biases [gate][units] hold
 * the zero-point products folded in (input_bias the model's bias too). hidden_state [batches][units] and
 * cell_state [batches][units] are read and updated (they carry over to the next call). scratch: 3 x units
 * int16 per batch of a step (all batches when time-major, else one). */
void tg_lstm_s8(const tg_lstm_params *p, const int8_t *input, const int8_t *input_weights,
                const int8_t *recurrent_weights, const int32_t *input_bias, const int32_t *recurrent_bias,
                int8_t *hidden_state, int16_t *cell_state, int16_t *scratch, int8_t *output);
void tg_lstm_s16(const tg_lstm_params *p, const int16_t *input, const int8_t *input_weights,
                 const int8_t *recurrent_weights, const int64_t *input_bias, const int64_t *recurrent_bias,
                 int16_t *hidden_state, int16_t *cell_state, int16_t *scratch, int16_t *output);

typedef struct {
    int32_t batches;
    int32_t time_steps;
    int32_t input_size;
    int32_t units;
    int32_t time_major;
    float cell_clip; /* |cell state| <= cell_clip where it is positive */
} tg_lstm_f32_params;

/* As tg_lstm_s8 with float32 tensors and one bias per gate ([gate][units]); scratch: 3 x units floats per batch
 * of a step. */
void tg_lstm_f32(const tg_lstm_f32_params *p, const float *input, const float *input_weights,
                 const float *recurrent_weights, const float *bias, float *hidden_state, float *cell_state,
                 float *scratch, float *output);

#ifdef __cplusplus
}
#endif

#endif
