"""DEQUANTIZE (int8 → float32, e.g. at a float model output) → tg_dequantize_s8_f32, as TFLite Micro's
reference Dequantize: (float)(double(scale) * (q - zero_point))."""
from __future__ import annotations

from ..errors import TinygenError
from . import Layer, LowerContext, require_int8, require_per_tensor


def lower(graph, op, ctx: LowerContext) -> Layer:
    (x,) = require_int8(graph, op, op.inputs[0])
    y = graph.tensors[op.outputs[0]]
    if y.dtype != "float32":
        raise TinygenError(f"DEQUANTIZE (operator {op.index}) writes {y.dtype}; tinygen dequantizes to float32",
                           "convert with float32 or int8 outputs")
    require_per_tensor(op, x)
    return Layer(op, "dequantize", [op.inputs[0]], [op.outputs[0]],
                 dict(kernel="tg_dequantize_s8_f32", size=x.size, scale=x.scale, zero_point=x.zero_point),
                 summary=f"DEQUANTIZE int8 {list(x.shape)} -> float32, scale {x.scale:g}, "
                         f"zero point {x.zero_point}")
