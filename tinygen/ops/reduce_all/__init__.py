"""REDUCE_ALL (bool) → tg_reduce_min_s8 over MEAN's loop nest (../mean): TFLite's ReduceGeneric<bool> with
`in && current` from true; bools are the bytes 0 and 1, so their logical AND is their minimum."""
from __future__ import annotations

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef
from ..mean import MeanParams, reduction
from ...errors import TinygenError


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if x.dtype != "bool" or y.dtype != "bool":
        raise TinygenError(f"REDUCE_ALL (operator {op.index}) reduces {x.dtype} to {y.dtype}; TFLite Micro reduces "
                           "bool to bool", "reduce a comparison's bool result")
    axes, _, kept, reduced = reduction(graph, op, x, y)
    params = MeanParams(tuple(n for n, _ in kept), tuple(s for _, s in kept), tuple(n for n, _ in reduced),
                        tuple(s for _, s in reduced), 0, 0, 0, 0)  # MEAN's loop nest; no arithmetic
    return Layer(op, "reduce_all/reduce_all.c.j2", "tg_reduce_min_s8", (op.inputs[0],), (op.outputs[0],), params,
                 summary=f"REDUCE_ALL {list(x.shape)} over axes {sorted(axes)} -> {list(y.shape)}")


def example(m, rng) -> bytes:
    """x > constant, then all over the rows."""
    x = m.tensor([1, 4, 6], scale=0.05, zero_point=-3)
    c = m.tensor([1], data=np.array([-20], np.int8), scale=0.05, zero_point=-3)
    b = m.tensor([1, 4, 6], "bool")
    m.op("GREATER", [x, c], [b])
    axis = m.tensor([1], "int32", data=np.array([1], np.int32))
    y = m.tensor([1, 6], "bool")
    m.op("REDUCE_ALL", [b, axis], [y], keep_dims=False)
    return m.finish([x], [y])


OP = OpDef(kinds=("REDUCE_ALL",), arity={"REDUCE_ALL": Arity(2)}, options={"REDUCE_ALL": "ReducerOptions"},
           lower=lower, types=("bool",), example=example, header="tg_reduce_max.h")
