"""CEIL, FLOOR, ROUND, SIN, COS, EXP, LOG, SQRT, SQUARE (float32) → tg_<kind>_f32: TFLM runs these on float32
only, one C library call per value (std::sin on a float is sinf). ROUND is TFLM's RoundToNearest (half to even),
not C's roundf. The host emulator calls the same C library as the oracle, so it is bit-exact; a target's own
libm may differ from it in the last bit for the transcendental functions (SIN, COS, EXP, LOG).
"""
from __future__ import annotations

from ..common import Arity, OpDef, lower_float_elementwise

KINDS = ("CEIL", "FLOOR", "ROUND", "SIN", "COS", "EXP", "LOG", "SQRT", "SQUARE")


def example(m, rng) -> bytes:
    """Every kind in a chain whose values stay finite (no LOG or SQRT of a negative value)."""
    x = m.tensor([1, 5, 7], "float32")
    t = x
    for kind in ("SIN", "COS", "EXP", "LOG", "SQUARE", "SQRT", "ROUND", "CEIL", "FLOOR"):
        y = m.tensor([1, 5, 7], "float32")
        m.op(kind, [t], [y])
        t = y
    return m.finish([x], [t])


OP = OpDef(kinds=KINDS, arity={kind: Arity(1) for kind in KINDS},
           options={**{kind: None for kind in KINDS}, "EXP": "ExpOptions", "SQUARE": "SquareOptions"},
           lower=lower_float_elementwise,
           same_shape=True, types=("float32",), example=example, header="tg_float_unary.h")
