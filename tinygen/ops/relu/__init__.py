"""RELU / RELU6 (int8) left standalone by the fuse_activation pass → tg_relu_s8 / tg_relu6_s8.

TFLite Micro treats them differently: RELU rescales (multiplier from float32 in_scale / out_scale) and clamps
below at the output zero point; RELU6 only clamps, in the input's quantization, to [zero point, q(6.0)] and
does not read the output's parameters at all.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import (Activation, Arity, Layer, LowerContext, OpDef, elementwise_inplace, lower_float_elementwise,
                      require_int8, require_per_tensor)
from ...quant import INT8_MAX, INT8_MIN, quantize_multiplier, quantize_value

# The fused_activation_function code each kind becomes when it folds into its producer (fuse_activation).
FUSED_CODE = {"RELU": 1, "RELU6": 3}


@dataclass(frozen=True)
class ReluParams:
    size: int
    input_zero_point: int
    mult: int
    shift: int
    output_zero_point: int
    act: Activation


@dataclass(frozen=True)
class Relu6Params:
    size: int
    lower: int
    upper: int


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float_elementwise(graph, op)
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    if op.kind == "RELU6":
        six = min(INT8_MAX, max(INT8_MIN, quantize_value(6.0, x.scale, x.zero_point)))
        return Layer(op, "relu/relu6.c.j2", "tg_relu6_s8", (op.inputs[0],), (op.outputs[0],),
                     Relu6Params(x.size, x.zero_point, six),
                     summary=f"RELU6 {list(x.shape)}: clamp to [{x.zero_point}, {six}]",
                     inplace=elementwise_inplace(("tg_relu6_s8",), True))
    # CalculateReluOpData divides the scales in float32 before widening to double.
    mult, shift = quantize_multiplier(float(np.float32(x.scale) / np.float32(y.scale)))
    act = Activation(max(INT8_MIN, y.zero_point), INT8_MAX)
    return Layer(op, "relu/relu.c.j2", "tg_relu_s8", (op.inputs[0],), (op.outputs[0],),
                 ReluParams(x.size, x.zero_point, mult, shift, y.zero_point, act),
                 summary=f"RELU {list(x.shape)}: scale {x.scale:g} -> {y.scale:g}",
                 inplace=elementwise_inplace(("tg_relu_s8",), True))


def example(m, rng) -> bytes:
    """RELU that rescales, then RELU6 (neither folds: no producer to fold into)."""
    x = m.tensor([1, 4, 6], scale=0.05, zero_point=-10)
    h = m.tensor([1, 4, 6], scale=0.03, zero_point=-128)
    m.op("RELU", [x], [h])
    y = m.tensor([1, 4, 6], scale=0.03, zero_point=-128)
    m.op("RELU6", [h], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("RELU", "RELU6"), arity={"RELU": Arity(1), "RELU6": Arity(1)},
           options={"RELU": None, "RELU6": None}, lower=lower, same_shape=True, types=("int8", "float32"),
           example=example, header="tg_relu.h")
