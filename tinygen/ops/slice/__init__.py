"""SLICE (int8, int16, float32) → tg_transpose_s8's (_s16's, _f32's) strided walk from the slice's first element, or
an alias where it takes the whole input; a slice of a constant folds.

TFLM's kernel (slice.cc, reference Slice) writes the output shape's elements from input[begin + i] for an input of
rank 5 at most, with constant int32 or int64 begin/size vectors; the size vector only fixes the output shape
(-1: to the end), which the file's output shape must match.
"""
from __future__ import annotations

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef, require_copied
from ..transpose import strided_copy
from ...errors import TinygenError

MAX_RANK = 5  # slice.cc kMaxDim


def begins(graph, op, shape: list[int]) -> list[int]:
    """The constant begin vector, checked against the input, the size vector and the output shape."""
    where = f"SLICE (operator {op.index})"
    begin, size = (graph.tensors[t] for t in op.inputs[1:3])
    y = [int(d) for d in graph.tensors[op.outputs[0]].shape]
    for t in (begin, size):
        if not t.is_const or t.dtype not in ("int32", "int64"):
            raise TinygenError(f"{where} has a run-time or {t.dtype} begin/size; TFLite Micro reads them as int32 "
                               "or int64 constants", "export the model with constant slice bounds")
    b, s = [int(v) for v in begin.data.reshape(-1)], [int(v) for v in size.data.reshape(-1)]
    if len(b) != len(shape) or len(s) != len(shape) or len(y) != len(shape):
        raise TinygenError(f"{where} slices a rank-{len(shape)} input with {len(b)} begin and {len(s)} size values "
                           f"into rank {len(y)}", "the model file is corrupted; re-export it")
    for axis, (start, count, out, dim) in enumerate(zip(b, s, y, shape)):
        if start < 0 or start + out > dim or (count != -1 and count != out):
            raise TinygenError(f"{where} takes {out} elements from {start} on axis {axis} of {shape} (size "
                               f"{count})", "the model file is corrupted; re-export it")
    return b


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_copied(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
    shape = [int(d) for d in x.shape]
    if len(shape) > MAX_RANK:
        raise TinygenError(f"SLICE (operator {op.index}) has a rank-{len(shape)} input; TFLite Micro slices ranks "
                           f"up to {MAX_RANK}", f"reshape to rank {MAX_RANK} or less before slicing")
    b, out = begins(graph, op, shape), [int(d) for d in y.shape]
    strides = [int(np.prod(shape[a + 1:])) for a in range(len(shape))]
    bounds = ", ".join(f"{s}:{s + n}" for s, n in zip(b, out))
    return strided_copy(graph, op, out, strides, sum(s * e for s, e in zip(b, strides)),
                        f"SLICE {shape}[{bounds}] -> {out}")


def fold(graph, op, args) -> np.ndarray:
    out = [int(d) for d in graph.tensors[op.outputs[0]].shape]
    b = begins(graph, op, list(args[0].shape))
    return np.asarray(args[0][tuple(slice(s, s + n) for s, n in zip(b, out))])


def example(m, rng) -> bytes:
    """Inner rows and channels of a feature map (a strided walk), then the first pixels of it (an alias)."""
    x = m.tensor([1, 5, 4, 6], scale=0.05, zero_point=3)
    begin = m.tensor([4], "int32", data=np.array([0, 1, 0, 2], np.int32))
    size = m.tensor([4], "int32", data=np.array([-1, 3, 4, 3], np.int32))
    h = m.tensor([1, 3, 4, 3], scale=0.05, zero_point=3)
    m.op("SLICE", [x, begin, size], [h])
    t = m.tensor([1, 3, 4, 3], scale=0.05, zero_point=3)
    m.op("RELU", [h], [t])
    begin2 = m.tensor([4], "int64", data=np.array([0, 0, 0, 0], np.int64))
    size2 = m.tensor([4], "int64", data=np.array([1, 2, -1, -1], np.int64))
    y = m.tensor([1, 2, 4, 3], scale=0.05, zero_point=3)
    m.op("SLICE", [t, begin2, size2], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("SLICE",), types=("int8", "int16", "float32"),
           arity={"SLICE": Arity(3)}, options={"SLICE": "SliceOptions"}, lower=lower, fold=fold,
           example=example, header="tg_transpose.h")
