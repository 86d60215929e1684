"""TANH (int8) → tg_tanh_s8: TFLite Micro's reference integer_ops::Tanh (gemmlowp fixed point).

The output is always on scale 1/128 with zero point 0: TFLM reads neither output parameter, so neither does
tinygen.
"""
from __future__ import annotations

from ..quant import logistic_tanh_input_params
from . import Layer, LowerContext, elementwise_inplace, require_int8, require_per_tensor


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x)
    mult, shift, radius = logistic_tanh_input_params(x.scale)
    return Layer(op, "tanh", [op.inputs[0]], [op.outputs[0]],
                 dict(kernel="tg_tanh_s8", size=x.size, input_zero_point=x.zero_point, radius=radius, mult=mult, shift=shift),
                 summary=f"TANH {list(x.shape)}", inplace=elementwise_inplace(("tg_tanh_s8",), True))
