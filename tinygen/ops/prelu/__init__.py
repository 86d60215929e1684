"""PRELU (int8) → tg_prelu_s8: TFLite's reference BroadcastPrelu4DSlow, alpha broadcast against the input as in
ADD; parameters as micro/kernels/prelu_common.cc CalculatePreluParams computes them (two multipliers in double:
input/output scale for x >= 0, input·alpha/output scale for the product of the offset input and alpha). float32 →
tg_prelu_f32: TFLM's BroadcastPrelu4DSlowFloat."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..add import Elementwise, broadcast_walk
from ..common import Arity, Layer, LowerContext, OpDef, require_float, require_int8, require_per_tensor
from ...quant import quantize_multiplier


@dataclass(frozen=True)
class PreluParams:
    input_offset: int
    alpha_offset: int
    output_offset: int
    identity_mult: int  # x >= 0: x · input scale / output scale
    identity_shift: int
    alpha_mult: int  # x < 0: x · alpha · input scale · alpha scale / output scale
    alpha_shift: int
    shape: Elementwise


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.outputs[0]].dtype == "float32":  # BroadcastPrelu4DSlowFloat
        x, alpha, y = require_float(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
        shape, inplace = broadcast_walk(op, x, alpha, y, "tg_prelu_f32")
        return Layer(op, "binary_dims.c.j2", "tg_prelu_f32", (op.inputs[0], op.inputs[1]), (op.outputs[0],),
                     shape, summary=f"PRELU {list(x.shape)}, alpha {list(alpha.shape)} (float32)", inplace=inplace)
    x, alpha, y = require_int8(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    require_per_tensor(op, x, alpha, y)
    shape, inplace = broadcast_walk(op, x, alpha, y, "tg_prelu_s8")
    m1, s1 = quantize_multiplier(float(np.float64(x.scale) / np.float64(y.scale)))
    m2, s2 = quantize_multiplier(float(np.float64(x.scale) * np.float64(alpha.scale) / np.float64(y.scale)))
    params = PreluParams(-x.zero_point, -alpha.zero_point, y.zero_point, m1, s1, m2, s2, shape)
    how = f"{list(x.shape)}, alpha {list(alpha.shape)}"
    return Layer(op, "prelu/prelu.c.j2", "tg_prelu_s8", (op.inputs[0], op.inputs[1]), (op.outputs[0],), params,
                 summary=f"PRELU {how}", inplace=inplace)


def example(m, rng) -> bytes:
    """Alpha per channel (a constant broadcast over pixels), then alpha from the data itself (equal shapes)."""
    x = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=-4)
    alpha = m.tensor([1, 1, 5], scale=0.004, zero_point=-20, data=rng.integers(-128, 128, (1, 1, 5)).astype(np.int8))
    h = m.tensor([1, 3, 4, 5], scale=0.04, zero_point=3)
    m.op("PRELU", [x, alpha], [h])
    y = m.tensor([1, 3, 4, 5], scale=0.03, zero_point=0)
    m.op("PRELU", [h, x], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("PRELU",), arity={"PRELU": Arity(2)}, options={"PRELU": None}, lower=lower,
           types=("int8", "float32"), example=example, header="tg_prelu.h")
