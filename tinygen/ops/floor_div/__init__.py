"""FLOOR_DIV and FLOOR_MOD (float32; TFLM runs them on float32 only) → tg_floor_div_f32 / tg_floor_mod_f32:
TFLM's reference FloorDiv (floor of the double quotient) and FloorMod (fmodf moved onto the divisor's sign),
operands broadcast as in ADD. TFLM's FLOOR_DIV fails its Invoke when any divisor is zero: a constant divisor with
a zero is refused here, and a computed one makes invoke return the operator's error code as TFLM's does."""
from __future__ import annotations

import numpy as np

from ..add import broadcast_walk
from ..common import Arity, Layer, LowerContext, OpDef, require_float
from ...errors import TinygenError


def lower(graph, op, ctx: LowerContext) -> Layer:
    a, b, y = require_float(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    if op.kind == "FLOOR_DIV" and b.is_const and np.any(b.data == 0):
        raise TinygenError(f"FLOOR_DIV (operator {op.index}) divides by a constant holding zero; TFLite Micro fails "
                           "on it", "remove the zeros from the divisor")
    kernel = f"tg_{op.kind.lower()}_f32"
    shape, inplace = broadcast_walk(op, a, b, y, kernel)
    return Layer(op, "floor_div/floor_div.c.j2", kernel, (op.inputs[0], op.inputs[1]), (op.outputs[0],), shape,
                 inplace=inplace if op.kind == "FLOOR_MOD" else (),  # FLOOR_DIV reads every divisor first
                 summary=f"{op.kind} {list(a.shape)}, {list(b.shape)} (float32)")


def example(m, rng) -> bytes:
    """x FLOOR_DIV a constant row (no zeros), then FLOOR_MOD by a broadcast constant."""
    x = m.tensor([1, 4, 5], "float32")
    row = m.tensor([5], "float32", data=np.array([1.5, -2.0, 0.25, 3.0, -0.75], np.float32))
    q = m.tensor([1, 4, 5], "float32")
    m.op("FLOOR_DIV", [x, row], [q])
    d = m.tensor([1, 1, 1], "float32", data=np.array([[[-0.6]]], np.float32))
    y = m.tensor([1, 4, 5], "float32")
    m.op("FLOOR_MOD", [x, d], [y])
    t = m.tensor([1, 4, 5], "float32")
    m.op("FLOOR_MOD", [q, y], [t])
    return m.finish([x], [t])


OP = OpDef(kinds=("FLOOR_DIV", "FLOOR_MOD"), arity={"FLOOR_DIV": Arity(2), "FLOOR_MOD": Arity(2)},
           options={"FLOOR_DIV": "FloorDivOptions", "FLOOR_MOD": "FloorModOptions"}, lower=lower,
           types=("float32",), example=example, header="tg_floor_div.h")
