"""QUANTIZE → tg_quantize_f32_s8 / _s16 (float32 → int8 or int16, e.g. at a float model input) or
tg_requantize_<in>_<out> (int8 or int16 → int8 or int16 with a new scale / zero point; int32 → int8 or int16 and
back), as TFLite Micro's reference AffineQuantize / Requantize. A QUANTIZE `through_float` (its input was a float
DEQUANTIZE result, moved to the int8 bytes by passes/float_data_movement) looks each byte up in a table of both
steps' float arithmetic → tg_lut_s8."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import (TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, RequantizeParams, const,
                      elementwise_inplace, require_per_tensor, require_quantized)
from ..elu import LutParams
from ...errors import TinygenError
from ...quant import requantize_multiplier, round_f32

QUANTIZED = ("int8", "int16")
# TFLM's quantize kernel also rescales int32 to int8 or int16 and back (not int32 to int32).
# uint8 only to or from int8: the edges of older (TF1-style) models with uint8 inputs and outputs.
REQUANTIZED = QUANTIZED + ("int32", "uint8")
REQUANTIZE_PAIRS = {(a, b) for a in REQUANTIZED[:3] for b in REQUANTIZED[:3] if "int32" not in (a, b) or a != b} | \
    {("uint8", "int8"), ("int8", "uint8")}


@dataclass(frozen=True)
class AffineParams:
    """float32 ↔ int8 or int16: real = scale * (q - zero_point) (QUANTIZE from float, DEQUANTIZE)."""
    size: int
    scale: float
    zero_point: int


def requantize_kernel(x_dtype: str, y_dtype: str) -> str:
    """tg_requantize_s8 (int8 → int8), _s16 (int16 → int16), _s8_s16 and _s16_s8 across types."""
    if x_dtype == y_dtype:
        return f"tg_requantize_{TYPE_SUFFIX[x_dtype]}"
    return f"tg_requantize_{TYPE_SUFFIX[x_dtype]}_{TYPE_SUFFIX[y_dtype]}"


def affine_quantize(x: np.float32, scale: float, zero_point: int, lo: int, hi: int) -> int:
    """tg_quantize.c's affine_quantize (TFLM's AffineQuantize) on one float32 value."""
    q = np.float32(x) / np.float32(scale)
    if not -2147483648.0 < q < 2147483648.0:
        return hi if zero_point < 0 else lo
    return min(max(int(round_f32(q)) + zero_point, lo), hi)


def through_float_table(x_scale: float, x_zero_point: int, y_scale: float, y_zero_point: int) -> np.ndarray:
    """int8 → float32 (TFLM's Dequantize: the float product, which equals its double product rounded) → int8
    (AffineQuantize), for every int8 value, indexed by its byte."""
    table = np.zeros(256, np.int8)
    for v in range(-128, 128):
        real = np.float32(x_scale) * np.float32(v - x_zero_point)
        table[v & 0xFF] = affine_quantize(real, y_scale, y_zero_point, -128, 127)
    return table


def _through_float(op, x, y) -> Layer:
    table = through_float_table(x.scale, x.zero_point, y.scale, y.zero_point)
    return Layer(op, "elu/lut.c.j2", "tg_lut_s8", (op.inputs[0],), (op.outputs[0],), LutParams(int(y.size)),
                 (const("table", "int8_t", table),),
                 summary=f"DEQUANTIZE + QUANTIZE {list(x.shape)} through float (table): scale {x.scale:g} -> "
                         f"{y.scale:g}, zero point {x.zero_point} -> {y.zero_point}",
                 inplace=elementwise_inplace(("tg_lut_s8",), True))


def lower(graph, op, ctx: LowerContext) -> Layer:
    x = graph.tensors[op.inputs[0]]
    (y,) = require_quantized(graph, op, REQUANTIZED, op.outputs[0])
    require_per_tensor(op, y)
    shape = f"{list(x.shape)}"
    if op.options.get("through_float"):
        require_per_tensor(op, x)
        return _through_float(op, x, y)
    if x.dtype == "float32" and y.dtype in QUANTIZED:
        return Layer(op, "quantize/affine.c.j2", f"tg_quantize_f32_{TYPE_SUFFIX[y.dtype]}", (op.inputs[0],),
                     (op.outputs[0],), AffineParams(y.size, y.scale, y.zero_point),
                     summary=f"QUANTIZE float32 {shape} -> {y.dtype}, scale {y.scale:g}, zero point {y.zero_point}")
    if (x.dtype, y.dtype) not in REQUANTIZE_PAIRS:
        raise TinygenError(f"QUANTIZE (operator {op.index}) turns {x.dtype} into {y.dtype}; tinygen quantizes "
                           "float32 to int8 or int16 and requantizes between int8, int16 and int32, and uint8 to or "
                           "from int8, as TFLite Micro",
                           "convert with int8, int16 or float32 inputs")
    require_quantized(graph, op, REQUANTIZED, op.inputs[0])
    require_per_tensor(op, x)
    for t in (x, y):
        if t.dtype == "int32" and t.zero_point != 0:  # TFLM's int32 arithmetic would overflow
            raise TinygenError(f"QUANTIZE (operator {op.index}): int32 tensor '{t.name}' has zero point "
                               f"{t.zero_point}", "quantize int32 tensors with zero point 0")
    mult, shift = requantize_multiplier(x.scale, y.scale)
    kernel = requantize_kernel(x.dtype, y.dtype)
    return Layer(op, "quantize/requantize.c.j2", kernel, (op.inputs[0],), (op.outputs[0],),
                 RequantizeParams(y.size, x.zero_point, mult, shift, y.zero_point),
                 summary=f"QUANTIZE {x.dtype} -> {y.dtype} {shape}: scale {x.scale:g} -> {y.scale:g}, zero point "
                         f"{x.zero_point} -> {y.zero_point}",
                 inplace=elementwise_inplace((kernel,), x.dtype == y.dtype))


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
           lower=lower, types=("float32->int8", "float32->int16", "int8", "int16", "int8->int16", "int16->int8",
                               "int32->int8", "int32->int16", "int8->int32", "int16->int32", "uint8->int8",
                               "int8->uint8"),
           same_shape=True, example=example, header="tg_quantize.h")
