"""CAST → tg_cast_<from>_<to>: TFLM's static_cast of each element (micro/kernels/cast.cc) from int8, int16,
int32, float32 or bool to int8, int16, int32 or float32; quantization parameters play no part. Narrowing integers
wrap; floats truncate toward zero and, where C++ leaves the result undefined (out of range), saturate as TFLM's
host build does (NaN: 0). Constant inputs fold at compile time instead (the fold, like SHAPE's, may change the
type). TFLM has no bool output, and tinygen no uint32 or int64 tensors at run time: those are refused.
"""
from __future__ import annotations

import numpy as np

from ..common import TYPE_SUFFIX, Arity, ElementwiseParams, Layer, LowerContext, OpDef
from ...errors import TinygenError

SOURCES = ("int8", "int16", "int32", "float32", "bool")
TARGETS = ("int8", "int16", "int32", "float32")
SUFFIX = {**TYPE_SUFFIX, "bool": "b"}


def fold(graph, op, args) -> np.ndarray:
    return args[0]


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if x.dtype not in SOURCES or y.dtype not in TARGETS:
        raise TinygenError(f"CAST (operator {op.index}) converts {x.dtype} to {y.dtype}; tinygen casts "
                           f"{', '.join(SOURCES)} to {', '.join(TARGETS)} at run time (TFLM: no bool output)",
                           "cast to one of those types")
    if x.size != y.size:
        raise TinygenError(f"CAST (operator {op.index}) maps {list(x.shape)} to {list(y.shape)}",
                           "the model file is corrupted; re-export it")
    kernel = f"tg_cast_{SUFFIX[x.dtype]}_{SUFFIX[y.dtype]}"
    return Layer(op, "elementwise.c.j2", kernel, (op.inputs[0],), (op.outputs[0],), ElementwiseParams(x.size),
                 summary=f"CAST {list(x.shape)} {x.dtype} -> {y.dtype}")


def example(m, rng) -> bytes:
    """int8 → int32 → float32 → int16 → int8: every kind of conversion once (widening, to float, truncating a
    float, wrapping)."""
    x = m.tensor([2, 5], "int8", scale=0.1)
    wide = m.tensor([2, 5], "int32")
    m.op("CAST", [x], [wide])
    real = m.tensor([2, 5], "float32")
    m.op("CAST", [wide], [real])
    short = m.tensor([2, 5], "int16")
    m.op("CAST", [real], [short])
    y = m.tensor([2, 5], "int8", scale=0.1)
    m.op("CAST", [short], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("CAST",), arity={"CAST": Arity(1)}, options={"CAST": "CastOptions"}, lower=lower, fold=fold,
           fold_changes_type=True, types=("int8, int16, int32, float32, bool → int8, int16, int32, float32",),
           example=example, header="tg_cast.h")
