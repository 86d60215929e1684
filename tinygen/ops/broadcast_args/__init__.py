"""BROADCAST_ARGS: the broadcast of two constant shapes is a constant, folded at compile time (TFLM computes it
at run time from shape tensors, which in a static model are constants). Shapes that do not broadcast are left
unfolded, and the model is refused naming the operator."""
from __future__ import annotations

import numpy as np

from ..common import Arity, OpDef


def fold(graph, op, args) -> np.ndarray | None:
    a, b = (np.asarray(arg).reshape(-1) for arg in args)
    if a.dtype != b.dtype or a.dtype not in (np.int32, np.int64):
        return None
    try:
        shape = np.broadcast_shapes(tuple(int(d) for d in a), tuple(int(d) for d in b))
    except ValueError:
        return None
    return np.asarray(shape, dtype=a.dtype)


OP = OpDef(kinds=("BROADCAST_ARGS",), arity={"BROADCAST_ARGS": Arity(2)}, options={"BROADCAST_ARGS": None},
           fold=fold, types=())
