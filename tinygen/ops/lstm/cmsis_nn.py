"""CMSIS-NN's arm_lstm_unidirectional_s8 / _s16 are not exact with TFLM's reference LSTM: tinygen keeps its
portable kernel on every core, and the operator declares no CMSIS-NN mapping (OpDef.backends).

TFLM's CalculateLstmGate clamps each of a gate's two products to int16 on its own (two FullyConnected calls
with int16 outputs), then adds them with saturation: sat(sat(input x W) + sat(hidden x U)). CMSIS-NN's
arm_nn_lstm_calculate_gate_s8_s16 / _s16 accumulate the second product onto the first's int16 result inside
arm_nn_vec_mat_mul_result_acc_s8_s16 / _s16: sat(sat(input x W) + hidden x U), the recurrent product
unclamped. The two differ wherever the recurrent product alone leaves the int16 range (beyond +-8 in Q3.12)
while the sum does not, e.g. a saturated hidden state against large recurrent weights, which trained models
reach. (The int16 sigmoid/tanh, arm_nn_activation_s16, is the same table arithmetic as TFLM's.)
"""
