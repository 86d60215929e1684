"""UNIDIRECTIONAL_SEQUENCE_LSTM (int8 or int16 activations, int8 weights, int16 cell state) → tg_lstm_s8 /
tg_lstm_s16; float32 → tg_lstm_f32 (TFLM's EvalLstm<float>: the same gates, float FullyConnected, Logistic, Tanh
and Mul, kTfLiteActNone's clamps).

TFLM's integer kernel (micro/kernels/unidirectional_sequence_lstm.cc, lstm_eval_common.cc), offline:
- ValidateTensorStatus: all eight weight matrices and four biases present, one weight type and one bias type;
  no peephole (inputs 9-11), no projection (16-17), no layer norm (20-23): TFLM's reference refuses those
  variants, and so does tinygen. The hidden state (18) and the cell state (19) are variable tensors: they live
  in the state region, kept between invokes, and `<name>_reset()` clears them.
- Eval's type switch: int8 activations with int8 weights read int32 biases, int16 activations with int8
  weights read int64 biases (TFLM reads the bias memory as int64 whatever the file says, so tinygen refuses an
  int32 bias there); the cell state must be int16 (float models are not integer ones).
- PrepareGateParametersInteger: each gate's two products (input x input weights, hidden x recurrent weights)
  rescale into Q3.12 (scale 2^-12) with the double product of the scales; the inter-gate products use the
  fixed Q0.15 gate scale; the cell state's scale power is TFLM's CheckedLog2 (rounded, never checked); the
  cell clip is quantized by truncation.
- The zero-point products TFLM's FullyConnected adds in its loop (input offset x weights) become row sums
  folded into per-gate biases: the input's into the model's bias, the hidden state's into a second bias.
TFLM applies the cell gate's activation from the options (only TANH is defined for it); a per-channel weight
would leave TFLM's multiplier unset, so it is refused.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef, const, require_float, require_per_tensor, require_quantized
from ...errors import TinygenError
from ...quant import TYPE_RANGE, per_tensor_conv_multiplier, quantize_multiplier, require_wide_shifts

# Input positions (lstm_shared.h).
INPUT = 0
INPUT_WEIGHTS = (1, 2, 3, 4)  # input, forget, cell, output gate: TFLM's tensor order
RECURRENT_WEIGHTS = (5, 6, 7, 8)
PEEPHOLE = (9, 10, 11)
BIASES = (12, 13, 14, 15)
PROJECTION = (16, 17)
HIDDEN_STATE, CELL_STATE = 18, 19
LAYER_NORM = (20, 21, 22, 23)
# tg_lstm.h's gate order (forget, input, cell, output), as indices into TFLM's (input, forget, cell, output).
KERNEL_GATES = (1, 0, 2, 3)

GATE_SCALE = 2.0 ** -12  # the products' Q3.12 (PrepareGateParametersInteger's nonlinear_input_scale)
GATE_OUTPUT_SCALE = 2.0 ** -15  # the gates' Q0.15 (its nonlinear_output_scale)
ACTIVATION_TANH = 4  # schema ActivationFunctionType.TANH: the only cell gate activation TFLM's Eval defines
# activation type → (kernel, C type of the activations, bias type, accumulator limit as TFLM's C computes it)
VARIANTS = {"int8": ("tg_lstm_s8", "int8_t", "int32", (1 << 31) - 1),
            "int16": ("tg_lstm_s16", "int16_t", "int64", (1 << 47) - 1)}  # tg_requantize_s64's bound


@dataclass(frozen=True)
class FloatLstmParams:
    batches: int
    time_steps: int
    input_size: int
    units: int
    time_major: bool
    cell_clip: float  # not clipped unless positive


@dataclass(frozen=True)
class LstmGate:
    input_mult: int
    input_shift: int
    recurrent_mult: int
    recurrent_shift: int


@dataclass(frozen=True)
class LstmParams:
    batches: int
    time_steps: int
    input_size: int
    units: int
    time_major: bool
    gates: tuple[LstmGate, ...]  # tg_lstm.h's order: forget, input, cell, output
    forget_mult: int
    forget_shift: int
    update_mult: int
    update_shift: int
    hidden_mult: int
    hidden_shift: int
    hidden_zero_point: int
    cell_clip: int  # -1: not clipped
    cell_tanh_mult: int
    cell_tanh_shift: int


def _refuse(op, problem: str, fix: str = "the model file is inconsistent; re-export it") -> TinygenError:
    return TinygenError(f"UNIDIRECTIONAL_SEQUENCE_LSTM (operator {op.index}) {problem}", fix)


def _present(op, position: int) -> bool:
    return position < len(op.inputs) and op.inputs[position] >= 0


def _inter_gate(a: float, b: float, out: float) -> tuple[int, int]:
    """CreateInterGateMulParams: the float scales widened to double, multiplied, divided."""
    return quantize_multiplier(float(np.float32(a)) * float(np.float32(b)) / float(np.float32(out)))


def _scale_power(scale: float) -> int:
    """CheckedLog2 in float32 (std::log, TfLiteRound: half away from zero); TFLM ignores whether it is exact."""
    log2 = np.float32(np.log(np.float32(scale))) * np.float32(np.float32(1.0) / np.log(np.float32(2.0)))
    return int(np.sign(log2) * np.floor(np.abs(log2) + np.float32(0.5)))


def _cell_tanh(op, cell_scale: float) -> tuple[int, int]:
    """lstm_internal::Tanh's input scaling for the cell state, with reference Tanh's power-of-two case folded
    in: (multiplier, right shift)."""
    left_shift = 15 + _scale_power(cell_scale) - 3
    if left_shift > 14:  # 3 << left_shift times an int16 would overflow int32 in TFLM's Tanh
        raise _refuse(op, f"has cell state scale {cell_scale:g}; TFLite Micro's integer tanh overflows above 4",
                      "re-quantize the model (the converter's cell state scale is a power of two below 1)")
    return (3 << left_shift, 0) if left_shift >= 0 else (3, -left_shift)


def _cell_clip(clip: float, cell_scale: float) -> int:
    """CreateLstmCellStateInfo's quantized clip (truncated to int16), or -1 where TFLM does not clip."""
    if not clip > 0:
        return -1
    return int(min(max(float(np.float32(clip)) / float(np.float32(cell_scale)), -32768.0), 32767.0))


def _folded_bias(op, x, w, bias: np.ndarray, limit: int) -> np.ndarray:
    """bias + input offset x the weights' row sums, after checking that TFLM's accumulator (its sum of
    weight x (input + offset), then + bias) cannot overflow its C type."""
    lo, hi = TYPE_RANGE[x.dtype]
    offset = -int(x.zero_point)
    rows = w.data.astype(np.int64).reshape(w.shape[0], -1)
    bound = np.abs(rows).sum(axis=1) * max(abs(lo + offset), abs(hi + offset)) + np.abs(bias)
    if np.any(bound > limit):
        raise _refuse(op, f"could overflow its accumulator (weights '{w.name}' and the bias sum to "
                      f"{int(bound.max())} times the input range)", "re-quantize its weights; TFLite would overflow too")
    return bias + offset * rows.sum(axis=1)


def _sizes(op, x, hidden, cell, y, weights, biases) -> tuple[int, int, int, int, bool]:
    """(batches, time steps, input size, units, time-major) once every shape agrees and the cell gate's
    activation is checked."""
    if len(x.shape) != 3 or len(hidden.shape) != 2:
        raise _refuse(op, f"has input {list(x.shape)} and hidden state {list(hidden.shape)}; TFLite Micro needs "
                      "rank 3 and rank 2")
    time_major = bool(op.options.get("time_major", False))
    steps, batches = (int(d) for d in x.shape[:2]) if time_major else (int(d) for d in x.shape[1::-1])
    input_size, units = int(x.shape[2]), int(hidden.shape[1])
    if (any(tuple(w.shape) != (units, input_size) for w in weights[:4])
            or any(tuple(w.shape) != (units, units) for w in weights[4:])
            or any(tuple(b.shape) != (units,) for b in biases)
            or hidden.size != batches * units or cell.size != batches * units
            or tuple(y.shape) != (*x.shape[:2], units)):
        raise _refuse(op, f"has input {list(x.shape)}, hidden state {list(hidden.shape)}, cell state "
                      f"{list(cell.shape)} and output {list(y.shape)} with weights "
                      f"{[list(w.shape) for w in weights]}: shapes that do not match")
    if int(op.options.get("fused_activation_function", 0)) != ACTIVATION_TANH:
        raise _refuse(op, f"has cell gate activation {op.options.get('fused_activation_function')}; tinygen "
                      "compiles TANH, the only one TFLite Micro's integer LSTM defines",
                      "use the LSTM's default activation (tanh)")
    return batches, steps, input_size, units, time_major


def _lower_float(graph, op, x, hidden, cell, y, weights, biases) -> Layer:
    """float32 → tg_lstm_f32 (TFLM's EvalLstm<float, float, float, float>)."""
    require_float(graph, op, *(t.index for t in (x, hidden, cell, y, *weights, *biases)))
    for t in weights + biases:
        if not t.is_const:
            raise _refuse(op, f"has non-constant weights or bias '{t.name}'",
                          "tinygen compiles models whose weights are constants")
    batches, steps, input_size, units, time_major = _sizes(op, x, hidden, cell, y, weights, biases)
    params = FloatLstmParams(batches, steps, input_size, units, time_major,
                             float(np.float32(op.options.get("cell_clip", 0.0))))

    def gates(tensors: list, *shape: int) -> np.ndarray:  # [gate][...] in tg_lstm.h's order
        return np.stack([tensors[g].data.astype(np.float32).reshape(shape) for g in KERNEL_GATES])

    consts = (const("input_weights", "float", gates(weights[:4], units, input_size)),
              const("recurrent_weights", "float", gates(weights[4:], units, units)),
              const("bias", "float", gates(biases, units)))
    rows = batches if time_major else 1
    return Layer(op, "lstm/lstm_f32.c.j2", "tg_lstm_f32",
                 (op.inputs[INPUT], op.inputs[HIDDEN_STATE], op.inputs[CELL_STATE]), (op.outputs[0],), params,
                 consts, scratch_bytes=3 * rows * units * 4, macs=batches * steps * 4 * units * (input_size + units),
                 summary=f"LSTM {batches}x{steps}x{input_size} -> {units} units (float32, "
                         f"{'time' if time_major else 'batch'}-major)")


def lower(graph, op, ctx: LowerContext) -> Layer:
    if len(op.inputs) != 24:
        raise _refuse(op, f"has {len(op.inputs)} inputs; TFLite Micro requires 24 (absent ones as -1)")
    tensors = {k: graph.tensors[i] for k, i in enumerate(op.inputs) if i >= 0}
    for name, positions in (("peephole (cell-to-gate) weights", PEEPHOLE), ("a projection", PROJECTION),
                            ("layer norm coefficients", LAYER_NORM)):
        if any(_present(op, k) for k in positions):
            raise _refuse(op, f"has {name}; TFLite Micro's LSTM kernel computes only the standard (Keras) LSTM "
                          "and refuses this variant", "export the LSTM without peephole, projection and layer norm")
    if any(not _present(op, k) for k in INPUT_WEIGHTS + RECURRENT_WEIGHTS + BIASES):
        raise _refuse(op, "omits the input gate (CIFG) or another weight or bias; TFLite Micro requires all "
                      "four gates", "export a standard LSTM (Keras LSTM layer)")
    if not _present(op, HIDDEN_STATE) or not _present(op, CELL_STATE):
        raise _refuse(op, "has no hidden or cell state input")
    x, hidden, cell = tensors[INPUT], tensors[HIDDEN_STATE], tensors[CELL_STATE]
    y = graph.tensors[op.outputs[0]]
    for state in (hidden, cell):
        if not state.is_variable:
            raise _refuse(op, f"state '{state.name}' is not a variable tensor; TFLite Micro requires one")
    weights = [tensors[k] for k in INPUT_WEIGHTS + RECURRENT_WEIGHTS]
    biases = [tensors[k] for k in BIASES]
    if x.dtype == "float32":
        return _lower_float(graph, op, x, hidden, cell, y, weights, biases)
    if x.dtype not in VARIANTS:
        raise _refuse(op, f"has {x.dtype} input '{x.name}'; tinygen compiles the integer LSTM (int8 or int16 "
                      "activations) and the float32 one", "convert with full-integer int8 (or 16x8) quantization")
    require_quantized(graph, op, (x.dtype,), op.inputs[INPUT], op.inputs[HIDDEN_STATE], op.outputs[0])
    if cell.dtype != "int16" or cell.quant is None:
        raise _refuse(op, f"has a {cell.dtype} cell state '{cell.name}'; TFLite Micro's quantized LSTM needs an "
                      "int16 one", "convert with full-integer int8 quantization")
    require_per_tensor(op, x, hidden, cell)
    kernel, ctype, bias_type, limit = VARIANTS[x.dtype]
    for w in weights:
        if w.dtype != "int8" or w.quant is None or not w.is_const:
            raise _refuse(op, f"has {w.dtype} weights '{w.name}'; TFLite Micro's integer LSTM reads constant "
                          "int8 weights", "convert with full-integer int8 (or 16x8) quantization")
        if w.quant.per_channel:
            raise _refuse(op, f"has weights '{w.name}' quantized per channel; TFLite Micro's LSTM reads one "
                          "scale per matrix", "convert with per-tensor weights (TFLite's default for LSTM)")
        if np.any(w.quant.zero_point != 0):
            raise _refuse(op, f"has weights '{w.name}' with a nonzero zero point; TFLite requires symmetric "
                          "weights", "re-quantize the model with the TFLite converter")
    for b in biases:
        if b.dtype != bias_type or not b.is_const:
            raise _refuse(op, f"has {b.dtype} bias '{b.name}' with {x.dtype} activations; TFLite Micro reads "
                          f"the biases as {bias_type}", "convert with TFLite's converter, which writes them so")
    batches, steps, input_size, units, time_major = _sizes(op, x, hidden, cell, y, weights, biases)

    gates, input_bias, recurrent_bias = [], [], []
    for g in KERNEL_GATES:
        wx, wh, b = weights[g], weights[4 + g], biases[g]
        gates.append(LstmGate(*per_tensor_conv_multiplier(x.scale, wx.scale, GATE_SCALE),
                              *per_tensor_conv_multiplier(hidden.scale, wh.scale, GATE_SCALE)))
        input_bias.append(_folded_bias(op, x, wx, b.data.astype(np.int64).reshape(-1), limit))
        recurrent_bias.append(_folded_bias(op, hidden, wh, np.zeros(units, np.int64), limit))
    if x.dtype == "int16":
        require_wide_shifts([s for g in gates for s in (g.input_shift, g.recurrent_shift)],
                            f"UNIDIRECTIONAL_SEQUENCE_LSTM (operator {op.index})")
    bias_values = np.array([input_bias, recurrent_bias])
    if bias_type == "int32" and (bias_values.min() < -2**31 or bias_values.max() >= 2**31):
        raise _refuse(op, "has a bias that does not fit in int32 once the zero-point products are folded in",
                      "re-quantize the model with the TFLite converter")
    np_bias = np.int64 if bias_type == "int64" else np.int32
    params = LstmParams(
        batches, steps, input_size, units, time_major, tuple(gates),
        *_inter_gate(GATE_OUTPUT_SCALE, cell.scale, cell.scale),
        *_inter_gate(GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, cell.scale),
        *_inter_gate(GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, hidden.scale), int(hidden.zero_point),
        _cell_clip(float(op.options.get("cell_clip", 0.0)), cell.scale), *_cell_tanh(op, cell.scale))
    consts = (const("input_weights", "int8_t", np.stack([weights[g].data.reshape(units, input_size)
                                                        for g in KERNEL_GATES])),
              const("recurrent_weights", "int8_t", np.stack([weights[4 + g].data.reshape(units, units)
                                                            for g in KERNEL_GATES])),
              const("input_bias", f"{bias_type}_t", np.array(input_bias, np_bias)),
              const("recurrent_bias", f"{bias_type}_t", np.array(recurrent_bias, np_bias)))
    rows = batches if time_major else 1
    return Layer(op, "lstm/lstm.c.j2", kernel, (op.inputs[INPUT], op.inputs[HIDDEN_STATE], op.inputs[CELL_STATE]),
                 (op.outputs[0],), params, consts, scratch_bytes=3 * rows * units * 2,
                 macs=batches * steps * 4 * units * (input_size + units),
                 summary=f"LSTM {batches}x{steps}x{input_size} -> {units} units ({x.dtype}, "
                         f"{'time' if time_major else 'batch'}-major)")


def example(m, rng) -> bytes:
    """[1, 3, 5] → LSTM (4 units, batch-major, int8) → [1, 3, 4]."""
    x = m.tensor([1, 3, 5], scale=0.05, zero_point=-3)
    y = lstm_layer(m, rng, x, units=4)
    return m.finish([x], [y])


def lstm_layer(m, rng, x: int, units: int, time_major: bool = False, activations: str = "int8",
               cell_clip: float = 0.0, cell_scale_power: int = -11) -> int:
    """A standard LSTM on tensor x ([batch, time, input] or time-major, of the schema builder m) with random
    weights and quantization that keeps the gates in their sensitive range; returns its output tensor
    (example() and tests/ops/test_lstm.py build on it)."""
    first, second, input_size = m.sg.tensors[x].shape
    batch = second if time_major else first
    wide = activations == "int16"
    limit = 32767 if wide else 127
    s_x = m.scale(x)
    s_h = float(rng.uniform(0.5, 1.5)) / limit  # the hidden state lies in (-1, 1)
    h_zero = 0 if wide else int(rng.integers(-10, 10))
    bias_type, np_bias = ("int64", np.int64) if wide else ("int32", np.int32)

    def matrix(depth: int, s_in: float, span: float) -> int:
        # (input - zero point) x weights: about 0.6 · limit · 127 · sqrt(depth) in s_in · s_w units; aim the
        # product at `span` (a few units in Q3.12).
        s_w = span / (s_in * 0.6 * limit * 127 * np.sqrt(depth)) * float(rng.uniform(0.5, 2.0))
        return m.tensor([units, depth], data=rng.integers(-127, 128, (units, depth)).astype(np.int8), scale=s_w)

    w_x = [matrix(input_size, s_x, 3.0) for _ in range(4)]
    w_h = [matrix(units, s_h, 2.0) for _ in range(4)]
    biases = [m.tensor([units], bias_type, scale=s_x * m.scale(w),
                       data=(rng.uniform(-1.0, 1.0, units) / (s_x * m.scale(w))).astype(np_bias)) for w in w_x]
    hidden = m.tensor([batch, units], activations, scale=s_h, zero_point=h_zero, variable=True)
    cell = m.tensor([batch, units], "int16", scale=2.0 ** cell_scale_power, variable=True)
    y = m.tensor(list(m.sg.tensors[x].shape[:2]) + [units], activations, scale=s_h, zero_point=h_zero)
    inputs = [x, *w_x, *w_h, -1, -1, -1, *biases, -1, -1, hidden, cell, -1, -1, -1, -1]
    m.op("UNIDIRECTIONAL_SEQUENCE_LSTM", inputs, [y], fused_activation_function=ACTIVATION_TANH,
         cell_clip=cell_clip, time_major=time_major)
    return y


OP = OpDef(kinds=("UNIDIRECTIONAL_SEQUENCE_LSTM",), arity={"UNIDIRECTIONAL_SEQUENCE_LSTM": Arity(1, 23)},
           options={"UNIDIRECTIONAL_SEQUENCE_LSTM": "UnidirectionalSequenceLSTMOptions"}, lower=lower,
           types=("int8 (int16 cell state)", "int16 (16x8, int64 bias)", "float32"),
           state_inputs=(HIDDEN_STATE, CELL_STATE),
           example=example, header="tg_lstm.h")
