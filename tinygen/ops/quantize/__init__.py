"""QUANTIZE → tg_quantize_f32_s8 (float32 → int8, e.g. at a float model input) or tg_requantize_s8
(int8 → int8 with a new scale / zero point), as TFLite Micro's reference AffineQuantize / Requantize."""
from __future__ import annotations

from dataclasses import dataclass

from ..common import (Arity, Layer, LowerContext, OpDef, RequantizeParams, elementwise_inplace, require_int8,
                      require_per_tensor)
from ...errors import TinygenError
from ...quant import requantize_multiplier


@dataclass(frozen=True)
class AffineParams:
    """float32 ↔ int8: real = scale * (q - zero_point) (QUANTIZE from float, DEQUANTIZE)."""
    size: int
    scale: float
    zero_point: int


def lower(graph, op, ctx: LowerContext) -> Layer:
    x = graph.tensors[op.inputs[0]]
    (y,) = require_int8(graph, op, op.outputs[0])
    require_per_tensor(op, y)
    shape = f"{list(x.shape)}"
    if x.dtype == "float32":
        return Layer(op, "quantize/affine.c.j2", "tg_quantize_f32_s8", (op.inputs[0],), (op.outputs[0],),
                     AffineParams(y.size, y.scale, y.zero_point),
                     summary=f"QUANTIZE float32 {shape} -> int8, scale {y.scale:g}, zero point {y.zero_point}")
    if x.dtype != "int8":
        raise TinygenError(f"QUANTIZE (operator {op.index}) reads {x.dtype}; tinygen quantizes float32 or "
                           "requantizes int8", "convert with int8 or float32 inputs")
    require_int8(graph, op, op.inputs[0])
    require_per_tensor(op, x)
    mult, shift = requantize_multiplier(x.scale, y.scale)
    return Layer(op, "quantize/requantize.c.j2", "tg_requantize_s8", (op.inputs[0],), (op.outputs[0],),
                 RequantizeParams(y.size, x.zero_point, mult, shift, y.zero_point),
                 summary=f"QUANTIZE int8 {shape}: scale {x.scale:g} -> {y.scale:g}, zero point "
                         f"{x.zero_point} -> {y.zero_point}", inplace=elementwise_inplace(("tg_requantize_s8",), True))


def example(m, rng) -> bytes:
    """float32 → int8 → int8 (new scale) → float32 (DEQUANTIZE)."""
    x = m.tensor([1, 10], "float32")
    q = m.tensor([1, 10], scale=0.02, zero_point=3)
    m.op("QUANTIZE", [x], [q])
    r = m.tensor([1, 10], scale=0.05, zero_point=-9)
    m.op("QUANTIZE", [q], [r])
    y = m.tensor([1, 10], "float32")
    m.op("DEQUANTIZE", [r], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("QUANTIZE",), arity={"QUANTIZE": Arity(1)}, options={"QUANTIZE": "QuantizeOptions"},
           lower=lower, types=("float32->int8", "int8"), same_shape=True, example=example, header="tg_quantize.h")
