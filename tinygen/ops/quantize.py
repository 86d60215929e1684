"""QUANTIZE → tg_quantize_f32_s8 (float32 → int8, e.g. at a float model input) or tg_requantize_s8
(int8 → int8 with a new scale / zero point), as TFLite Micro's reference AffineQuantize / Requantize."""
from __future__ import annotations

from ..errors import TinygenError
from ..quant import requantize_multiplier
from . import Layer, LowerContext, elementwise_inplace, require_int8, require_per_tensor


def lower(graph, op, ctx: LowerContext) -> Layer:
    x = graph.tensors[op.inputs[0]]
    (y,) = require_int8(graph, op, op.outputs[0])
    require_per_tensor(op, y)
    shape = f"{list(x.shape)}"
    if x.dtype == "float32":
        return Layer(op, "quantize", [op.inputs[0]], [op.outputs[0]],
                     dict(kernel="tg_quantize_f32_s8", float_input=True, size=y.size, scale=y.scale, zero_point=y.zero_point),
                     summary=f"QUANTIZE float32 {shape} -> int8, scale {y.scale:g}, zero point {y.zero_point}")
    if x.dtype != "int8":
        raise TinygenError(f"QUANTIZE (operator {op.index}) reads {x.dtype}; tinygen quantizes float32 or "
                           "requantizes int8", "convert with int8 or float32 inputs")
    require_int8(graph, op, op.inputs[0])
    require_per_tensor(op, x)
    mult, shift = requantize_multiplier(x.scale, y.scale)
    return Layer(op, "quantize", [op.inputs[0]], [op.outputs[0]],
                 dict(kernel="tg_requantize_s8", float_input=False, size=y.size, input_zero_point=x.zero_point, mult=mult, shift=shift,
                      output_zero_point=y.zero_point),
                 summary=f"QUANTIZE int8 {shape}: scale {x.scale:g} -> {y.scale:g}, zero point "
                         f"{x.zero_point} -> {y.zero_point}", inplace=elementwise_inplace(("tg_requantize_s8",), True))
