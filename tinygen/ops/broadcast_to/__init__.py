"""BROADCAST_TO (int8, int16) → tg_transpose_s8 / _s16's strided walk, each broadcast axis stepping 0 through the
input, or an alias where nothing broadcasts; a broadcast of a constant folds.

TFLM's Prepare takes a constant int32 or int64 shape of rank ≤ 5 that the input broadcasts to (numpy's rules,
dimensions aligned from the right) and that the output's shape equals; its reference BroadcastTo copies bytes
(whatever the type), so input and output must be quantized alike.
"""
from __future__ import annotations

import numpy as np

from ..common import (Arity, Layer, LowerContext, OpDef, require_per_tensor, require_quantized, require_same_type,
                      require_same_quantization)
from ..transpose import strided_copy
from ...errors import TinygenError

MAX_RANK = 5  # broadcast_to.cc kMaxDims


def target_shape(graph, op) -> list[int]:
    """The constant shape, checked as TFLM's Prepare checks it."""
    where = f"BROADCAST_TO (operator {op.index})"
    x, shape, y = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]], graph.tensors[op.outputs[0]]
    if not shape.is_const or shape.dtype not in ("int32", "int64"):
        raise TinygenError(f"{where} has a run-time or {shape.dtype} shape; TFLite Micro needs an int32 or int64 "
                           "constant", "export the model with a constant shape")
    values = [int(v) for v in shape.data.reshape(-1)]
    xs, ys = [int(d) for d in x.shape], [int(d) for d in y.shape]
    lead = len(values) - len(xs)
    if (len(shape.shape) != 1 or lead < 0 or len(values) > MAX_RANK or ys != values
            or any(d not in (1, values[lead + a]) for a, d in enumerate(xs))):
        raise TinygenError(f"{where} broadcasts {xs} to shape {values} into {ys}; TFLite Micro broadcasts (numpy's "
                           f"rules) to the output's shape, of rank ≤ {MAX_RANK}",
                           "the model file is corrupted; re-export it")
    return values


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_quantized(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
    require_same_type(op, x, y)
    require_per_tensor(op, x, y)
    require_same_quantization(op, x, y)
    out = target_shape(graph, op)
    xs = [1] * (len(out) - len(x.shape)) + [int(d) for d in x.shape]
    strides = [0 if d != o else int(np.prod(xs[a + 1:])) for a, (d, o) in enumerate(zip(xs, out))]
    return strided_copy(graph, op, out, strides, 0, f"BROADCAST_TO {list(x.shape)} -> {out}")


def fold(graph, op, args) -> np.ndarray:
    return np.broadcast_to(args[0], target_shape(graph, op)).copy()


def example(m, rng) -> bytes:
    """A row repeated down the rows and the batch (inner axis kept), then a column across the channels."""
    x = m.tensor([1, 4, 3], scale=0.05, zero_point=-3)
    shape = m.tensor([4], "int32", data=np.array([2, 3, 4, 3], np.int32))
    h = m.tensor([2, 3, 4, 3], scale=0.05, zero_point=-3)
    m.op("BROADCAST_TO", [x, shape], [h])
    t = m.tensor([2, 3, 4, 1], scale=0.05, zero_point=-3)
    begin = m.tensor([4], "int32", data=np.array([0, 0, 0, 1], np.int32))
    size = m.tensor([4], "int32", data=np.array([-1, -1, -1, 1], np.int32))
    m.op("SLICE", [h, begin, size], [t])
    shape2 = m.tensor([4], "int64", data=np.array([2, 3, 4, 5], np.int64))
    y = m.tensor([2, 3, 4, 5], scale=0.05, zero_point=-3)
    m.op("BROADCAST_TO", [t, shape2], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("BROADCAST_TO",), arity={"BROADCAST_TO": Arity(2)}, options={"BROADCAST_TO": "BroadcastToOptions"},
           lower=lower, types=("int8", "int16"), fold=fold, example=example, header="tg_transpose.h")
