"""SVDF (int8 input and output, int16 or int8 activation state) → tg_svdf_s8_s16 / tg_svdf_s8_s8.

TFLM's PrepareSvdf (micro/kernels/svdf_common.cc), offline: the two effective scales are float32 products
(input · feature weights / state, state · time weights / output) made double, then QuantizeMultiplier; the bias
is required (TFLM reads its scale) and its scale must lie within 1e-5 of state · time weights. The state
(input 4) is a variable tensor: it lives in the state region, kept between invokes (lowered/memory.py), and
`<name>_reset()` clears it. CMSIS-NN runs the int16-state form where exact (cmsis_nn.py). TFLM's integer SVDF
applies no fused activation, so tinygen applies none either (and a standalone RELU after it never fuses into it).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import cmsis_nn
from ..common import Arity, Layer, LowerContext, OpDef, const, require_int8, require_per_tensor
from ...errors import TinygenError
from ...quant import quantize_multiplier

STATE_TYPES = {"int16": ("int16_t", "tg_svdf_s8_s16"), "int8": ("int8_t", "tg_svdf_s8_s8")}


@dataclass(frozen=True)
class SvdfParams:
    batches: int
    input_size: int
    units: int
    rank: int
    memory: int
    input_offset: int
    state_zero_point: int
    output_zero_point: int
    feature_mult: int
    feature_shift: int
    time_mult: int
    time_shift: int


def _refuse(op, problem: str, fix: str = "the model file is inconsistent; re-export it") -> TinygenError:
    return TinygenError(f"SVDF (operator {op.index}) {problem}", fix)


def _effective_scale(a: float, b: float, c: float) -> float:
    """TFLM's `static_cast<double>(a * b / c)` over float scales: float32 arithmetic, then widened."""
    return float(np.float32(np.float32(a) * np.float32(b)) / np.float32(c))


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, wf, y = require_int8(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    require_per_tensor(op, x, y)
    if len(op.inputs) < 5 or op.inputs[3] < 0:
        raise _refuse(op, "has no bias; TFLite Micro requires one", "convert with the bias (TFLite's default)")
    wt, b, state = (graph.tensors[i] for i in op.inputs[2:5])
    if state.dtype not in STATE_TYPES or wt.dtype != state.dtype:
        raise _refuse(op, f"has {wt.dtype} time weights and {state.dtype} state; tinygen compiles int16 or int8, "
                      "both of one type (TFLM reads the state as the time weights' type)",
                      "convert with int8 quantization")
    if not state.is_variable:
        raise _refuse(op, f"state '{state.name}' is not a variable tensor; TFLite Micro requires one")
    if b.dtype != "int32" or not (wf.is_const and wt.is_const and b.is_const):
        raise _refuse(op, "needs constant weights and an int32 bias", "convert with full-integer int8 quantization")
    if wt.quant is None or b.quant is None or state.quant is None:
        raise _refuse(op, "has unquantized weights, bias or state", "convert with full-integer int8 quantization")
    rank = int(op.options.get("rank", 0))
    if len(x.shape) != 2 or len(wf.shape) != 2 or len(wt.shape) != 2 or len(y.shape) != 2 or len(state.shape) != 2:
        raise _refuse(op, "needs rank-2 input, weights, state and output")
    batches, input_size = (int(d) for d in x.shape)
    filters, memory = int(wt.shape[0]), int(wt.shape[1])
    if rank < 1 or filters % rank or int(wf.shape[0]) != filters or int(wf.shape[1]) != input_size:
        raise _refuse(op, f"has rank {rank}, feature weights {list(wf.shape)} and time weights {list(wt.shape)} "
                      f"for input {list(x.shape)}")
    units = filters // rank
    if tuple(y.shape) != (batches, units) or b.size != units or tuple(state.shape) != (batches, memory * filters):
        raise _refuse(op, f"has output {list(y.shape)}, bias {list(b.shape)} and state {list(state.shape)}; "
                      f"expected [{batches}, {units}], [{units}] and [{batches}, {memory * filters}]")
    if not abs(float(b.scale) - float(np.float32(state.scale) * np.float32(wt.scale))) < 1e-5:
        raise _refuse(op, f"has bias scale {b.scale:g}, not state scale × time weight scale; TFLite Micro refuses "
                      "this", "re-quantize the model with the TFLite converter")
    feature_mult, feature_shift = quantize_multiplier(_effective_scale(x.scale, wf.scale, state.scale))
    time_mult, time_shift = quantize_multiplier(_effective_scale(state.scale, wt.scale, y.scale))
    ctype, kernel = STATE_TYPES[state.dtype]
    params = SvdfParams(batches, input_size, units, rank, memory, -x.zero_point, state.zero_point, y.zero_point,
                        feature_mult, feature_shift, time_mult, time_shift)
    consts = (const("weights_feature", "int8_t", wf.data.reshape(filters, input_size)),
              const("weights_time", ctype, wt.data.reshape(filters, memory)),
              const("bias", "int32_t", b.data.astype(np.int32).reshape(-1)))
    return Layer(op, "svdf/svdf.c.j2", kernel, (op.inputs[0], op.inputs[4]), (op.outputs[0],), params, consts,
                 macs=batches * filters * (input_size + memory),
                 summary=f"SVDF {batches}x{input_size} -> {units} (rank {rank}, memory {memory}, {state.dtype} state)")


def example(m, rng) -> bytes:
    """[1, 12] → SVDF (rank 2, 3 units, memory 4, int16 state) → SVDF (rank 1, 2 units, memory 3, int8 state,
    RELU, which TFLM ignores)."""
    x = m.tensor([1, 12], scale=0.05, zero_point=-3)
    h = svdf_layer(m, rng, x, rank=2, units=3, memory=4, state_type="int16")
    y = svdf_layer(m, rng, h, rank=1, units=2, memory=3, state_type="int8", activation=1)
    return m.finish([x], [y])


def svdf_layer(m, rng, x: int, rank: int, units: int, memory: int, state_type: str, activation: int = 0,
               time_weight_limit: int | None = None) -> int:
    """An SVDF on tensor x ([batch, input] of the schema builder m) with random weights and quantization scaled
    so that state and output use much of their range (time weights within ±time_weight_limit if given, else the
    type's range); returns its output tensor (example() and tests/ops/test_svdf.py build on it)."""
    batch, input_size = m.sg.tensors[x].shape
    filters, wide = rank * units, state_type == "int16"
    limit = 32767 if wide else 127
    typical_state = 8000 if wide else 60  # the state values aimed at, in its own units
    s_wf, s_wt = float(rng.uniform(0.005, 0.02)), float(rng.uniform(0.5, 2.0)) / limit
    # (input - zero point) x feature weights is about 5300·√input_size in input · weight units.
    s_state = m.scale(x) * s_wf * 5300 * np.sqrt(input_size) / typical_state * float(rng.uniform(0.5, 2.0))
    s_y = s_state * s_wt * 0.58 * limit * typical_state * np.sqrt(rank * memory) / 40 * float(rng.uniform(0.5, 2.0))
    wf = m.tensor([filters, input_size], data=rng.integers(-127, 128, (filters, input_size)).astype(np.int8),
                  scale=s_wf)
    time_limit = time_weight_limit or limit
    time_weights = rng.integers(-time_limit, time_limit + 1, (filters, memory)).astype(np.int16 if wide else np.int8)
    wt = m.tensor([filters, memory], state_type, scale=s_wt, data=time_weights)
    bias_limit = limit * typical_state
    b = m.tensor([units], "int32", data=rng.integers(-bias_limit, bias_limit, units).astype(np.int32),
                 scale=float(np.float32(s_state) * np.float32(s_wt)))
    state = m.tensor([batch, memory * filters], state_type, scale=s_state,
                     zero_point=0 if wide else int(rng.integers(-20, 20)), variable=True)
    y = m.tensor([batch, units], scale=s_y, zero_point=int(rng.integers(-20, 20)))
    m.op("SVDF", [x, wf, wt, b, state], [y], rank=rank, fused_activation_function=activation)
    return y


OP = OpDef(kinds=("SVDF",), arity={"SVDF": Arity(5)}, options={"SVDF": "SVDFOptions"}, lower=lower,
           types=("int8 (int16 or int8 state)",), backends={"cmsis-nn": cmsis_nn.retarget}, weights_axis=0,
           state_inputs=(4,), example=example, header="tg_svdf.h")
