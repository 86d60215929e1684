"""LOGISTIC (int8) → tg_logistic_s8: TFLite Micro's reference integer_ops::Logistic (gemmlowp fixed point).

The output is always on scale 1/256 with zero point -128: TFLM requires that zero point and does not read the
output scale, so neither does tinygen.
"""
from __future__ import annotations

from ..errors import TinygenError
from ..quant import logistic_tanh_input_params
from . import Layer, LowerContext, elementwise_inplace, require_int8, require_per_tensor


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    if y.zero_point != -128:
        raise TinygenError(f"LOGISTIC (operator {op.index}) output zero point is {y.zero_point}; TFLite Micro "
                           "requires -128", "convert with the TFLite converter's int8 quantization")
    mult, shift, radius = logistic_tanh_input_params(x.scale)
    return Layer(op, "logistic", [op.inputs[0]], [op.outputs[0]],
                 dict(kernel="tg_logistic_s8", size=x.size, input_zero_point=x.zero_point, radius=radius, mult=mult, shift=shift),
                 summary=f"LOGISTIC {list(x.shape)}", inplace=elementwise_inplace(("tg_logistic_s8",), True))
