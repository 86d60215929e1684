"""ABS (int8) → tg_abs_s8: TFLM's AbsEvalQuantized (micro/kernels/elementwise.cc).

|x - input zero point|, rescaled by in_scale / out_scale (a float32 division widened to double) when the scales
differ, plus the output zero point, clamped to int8. Equal scales give the multiplier of 1.0, (2^30, shift 1),
which the kernel applies exactly (the magnitude is at most 255), so it needs no second path.
"""
from __future__ import annotations

import numpy as np

from ..common import (Arity, Layer, LowerContext, OpDef, RequantizeParams, elementwise_inplace,
                      lower_float_elementwise, require_int8, require_per_tensor)
from ...quant import quantize_multiplier


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float_elementwise(graph, op)
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    mult, shift = quantize_multiplier(float(np.float32(x.scale) / np.float32(y.scale)))
    return Layer(op, "abs/abs.c.j2", "tg_abs_s8", (op.inputs[0],), (op.outputs[0],),
                 RequantizeParams(x.size, x.zero_point, mult, shift, y.zero_point),
                 summary=f"ABS {list(x.shape)}: scale {x.scale:g} -> {y.scale:g}",
                 inplace=elementwise_inplace(("tg_abs_s8",), True))


def example(m, rng) -> bytes:
    """ABS that rescales, then one that keeps the scale."""
    x = m.tensor([1, 4, 6], scale=0.05, zero_point=-10)
    h = m.tensor([1, 4, 6], scale=0.03, zero_point=-128)
    m.op("ABS", [x], [h])
    y = m.tensor([1, 4, 6], scale=0.03, zero_point=-100)
    m.op("ABS", [h], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("ABS",), arity={"ABS": Arity(1)}, options={"ABS": "AbsOptions"}, lower=lower, same_shape=True,
           types=("int8", "float32"), example=example, header="tg_abs.h")
