"""STRIDED_SLICE of constants (Keras's Flatten takes the batch size out of a SHAPE), folded at compile time."""
from __future__ import annotations

import numpy as np

from ..common import Arity, OpDef


def fold(graph, op, args) -> np.ndarray | None:
    o = op.options
    if o.get("ellipsis_mask", 0) or o.get("new_axis_mask", 0) or o.get("offset", False):
        return None
    data, begin, end, strides = args
    index = []
    for d in range(len(begin)):
        b, e, s = int(begin[d]), int(end[d]), int(strides[d])
        if o.get("begin_mask", 0) >> d & 1:
            b = None
        if o.get("end_mask", 0) >> d & 1:
            e = None
        if o.get("shrink_axis_mask", 0) >> d & 1:
            index.append(b if b is not None else 0)
        else:
            index.append(slice(b, e, s))
    return np.asarray(data[tuple(index)])


OP = OpDef(kinds=("STRIDED_SLICE",), arity={"STRIDED_SLICE": Arity(4)},
           options={"STRIDED_SLICE": "StridedSliceOptions"}, fold=fold, types=())
