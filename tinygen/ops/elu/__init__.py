"""ELU (int8) → tg_lut_s8: TFLM's kernel looks every int8 value up in a 256-entry table its Prepare fills in float32
(dequantize, exp(x) - 1 below 0, multiply by the reciprocal output scale, round half away from zero, add the zero
point, clamp). The table is filled here with the same float32 operations and the C library's own expf (ctypes),
which is what TFLM's build calls: numpy's exp may differ from it in the last bit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef, const, elementwise_inplace, require_int8, require_per_tensor
from ...quant import libm_float, round_f32


@dataclass(frozen=True)
class LutParams:
    size: int


def elu_table(in_scale: float, in_zp: int, out_scale: float, out_zp: int) -> np.ndarray:
    """PopulateLookupTable with ELU's transform, indexed by the input byte (uint8 of the int8 value)."""
    f32, expf = np.float32, libm_float("expf")
    inverse = f32(1) / f32(out_scale)
    table = np.zeros(256, np.int8)
    for val in range(-128, 128):
        x = f32(in_scale) * f32(val - in_zp)
        y = expf(x) - f32(1) if x < 0 else x
        scaled = f32(y * inverse)
        quantized = int(f32(round_f32(scaled) + f32(out_zp)))  # the float sum, truncated toward zero
        table[val & 0xFF] = min(max(quantized, -128), 127)
    return table


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    table = elu_table(x.scale, x.zero_point, y.scale, y.zero_point)
    return Layer(op, "elu/lut.c.j2", "tg_lut_s8", (op.inputs[0],), (op.outputs[0],), LutParams(int(y.size)),
                 (const("table", "int8_t", table),), summary=f"ELU {list(x.shape)} (table)",
                 inplace=elementwise_inplace(("tg_lut_s8",), True))


def example(m, rng) -> bytes:
    x = m.tensor([1, 4, 4, 3], scale=0.05, zero_point=10)
    y = m.tensor([1, 4, 4, 3], scale=0.03, zero_point=-90)
    m.op("ELU", [x], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("ELU",), arity={"ELU": Arity(1)}, options={"ELU": None}, lower=lower, same_shape=True,
           example=example, header="tg_lut.h")
