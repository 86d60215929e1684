"""SQUARED_DIFFERENCE (int8) → tg_squared_difference_s8: TFLM's quantized SquaredDifference
(micro/kernels/squared_difference.cc), operands broadcast as in ADD; float32 → tg_squared_difference_f32, the
difference squared.

Prepare (PrepareQuantized, left shift 7) rescales both inputs to twice the larger input scale, like ADD, and the
squared difference by (2 · max scale)² / (2^14 · out_scale), the denominator a float32 product. ADD's
parameter struct carries the same fields; the clamp is int8's whole range.
"""
from __future__ import annotations

import numpy as np

from ..add import AddLayer, AddParams, broadcast_walk
from ..common import Activation, Arity, Layer, LowerContext, OpDef, require_float, require_int8, require_per_tensor
from ...quant import INT8_MAX, INT8_MIN, quantize_multiplier, quantize_multiplier_smaller_than_one_exp

LEFT_SHIFT = 7  # int8 (int16 uses 0)


def squared_difference_params(a, b, y) -> AddParams:
    s1, s2 = np.float32(a.scale), np.float32(b.scale)
    twice_max_input_scale = 2.0 * float(max(s1, s2))
    m1, sh1 = quantize_multiplier_smaller_than_one_exp(float(s1) / twice_max_input_scale)
    m2, sh2 = quantize_multiplier_smaller_than_one_exp(float(s2) / twice_max_input_scale)
    denominator = float(np.float32(1 << (2 * LEFT_SHIFT)) * np.float32(y.scale))
    mo, sho = quantize_multiplier(twice_max_input_scale * twice_max_input_scale / denominator)
    return AddParams(-a.zero_point, m1, sh1, -b.zero_point, m2, sh2, LEFT_SHIFT, y.zero_point, mo, sho,
                     Activation(INT8_MIN, INT8_MAX))


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.outputs[0]].dtype == "float32":
        a, b, y = require_float(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
        shape, inplace = broadcast_walk(op, a, b, y, "tg_squared_difference_f32")
        return Layer(op, "binary_dims.c.j2", "tg_squared_difference_f32",
                     (op.inputs[0], op.inputs[1]), (op.outputs[0],), shape, inplace=inplace,
                     summary=f"SQUARED_DIFFERENCE {list(a.shape)}, {list(b.shape)} (float32)")
    a, b, y = require_int8(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    require_per_tensor(op, a, b, y)
    shape, inplace = broadcast_walk(op, a, b, y, "tg_squared_difference_s8")
    how = f"{list(a.shape)}, {list(b.shape)}" if shape.broadcast else f"{y.size}"
    return Layer(op, "squared_difference/squared_difference.c.j2", "tg_squared_difference_s8",
                 (op.inputs[0], op.inputs[1]), (op.outputs[0],), AddLayer(squared_difference_params(a, b, y), shape),
                 summary=f"SQUARED_DIFFERENCE {how}", inplace=inplace)


def example(m, rng) -> bytes:
    """(x - constant row)², broadcast, then (x - that)² on equal shapes."""
    x = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=-4)
    c = m.tensor([5], scale=0.03, zero_point=10, data=rng.integers(-128, 128, 5).astype(np.int8))
    h = m.tensor([1, 3, 4, 5], scale=0.08, zero_point=-128)
    m.op("SQUARED_DIFFERENCE", [x, c], [h])
    y = m.tensor([1, 3, 4, 5], scale=0.2, zero_point=-120)
    m.op("SQUARED_DIFFERENCE", [x, h], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("SQUARED_DIFFERENCE",), arity={"SQUARED_DIFFERENCE": Arity(2)},
           options={"SQUARED_DIFFERENCE": "SquaredDifferenceOptions"}, lower=lower, types=("int8", "float32"),
           example=example, header="tg_squared_difference.h")
