"""REVERSE_V2 (int8, int16, float32) → tg_transpose_s8 (_s16, _f32) walking the reversed axes backwards (negative
strides from their last element). TFLM's kernel takes a constant int32 list of axes (negative counts from the end)
that, sorted, must be consecutive ("Non-contiguous `axes` not supported"), of an input of rank 8 at most."""
from __future__ import annotations

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef, require_copied
from ..transpose import strided_copy
from ...errors import TinygenError


def axes(graph, op, rank: int) -> set[int]:
    where = f"REVERSE_V2 (operator {op.index})"
    t = graph.tensors[op.inputs[1]]
    if not t.is_const or t.dtype != "int32" or len(t.shape) != 1:
        raise TinygenError(f"{where} has run-time or {t.dtype} axes; TFLite Micro needs a constant int32 vector",
                           "export the model with constant axes")
    values = sorted(int(v) + (rank if v < 0 else 0) for v in t.data.reshape(-1))
    if any(not 0 <= a < rank for a in values):
        raise TinygenError(f"{where} reverses axes {values} of a rank-{rank} input",
                           "the model file is corrupted; re-export it")
    if values and values != list(range(values[0], values[0] + len(values))):
        raise TinygenError(f"{where} reverses axes {values}, which are not consecutive; TFLite Micro refuses that",
                           "reverse consecutive axes, one REVERSE_V2 per run")
    return set(values)


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_copied(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
    shape = [int(d) for d in x.shape]
    if [int(d) for d in y.shape] != shape:
        raise TinygenError(f"REVERSE_V2 (operator {op.index}) maps {shape} to {list(y.shape)}",
                           "the model file is corrupted; re-export it")
    reversed_axes = axes(graph, op, len(shape))
    strides = [int(np.prod(shape[a + 1:])) for a in range(len(shape))]
    offset = sum((shape[a] - 1) * strides[a] for a in reversed_axes)
    return strided_copy(graph, op, shape, [-s if a in reversed_axes else s for a, s in enumerate(strides)], offset,
                        f"REVERSE_V2 {shape} axes {sorted(reversed_axes)}")


def fold(graph, op, args) -> np.ndarray:
    return np.flip(args[0], tuple(axes(graph, op, args[0].ndim)))


def example(m, rng) -> bytes:
    """Columns and channels reversed (the last axis counted from the end)."""
    x = m.tensor([1, 4, 3, 5], scale=0.05, zero_point=7)
    a = m.tensor([2], "int32", data=np.array([-1, 2], np.int32))
    y = m.tensor([1, 4, 3, 5], scale=0.05, zero_point=7)
    m.op("REVERSE_V2", [x, a], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("REVERSE_V2",), types=("int8", "int16", "float32"),
           arity={"REVERSE_V2": Arity(2)}, options={"REVERSE_V2": "ReverseV2Options"},
           lower=lower, fold=fold, same_shape=True, example=example, header="tg_transpose.h")
