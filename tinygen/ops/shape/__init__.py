"""SHAPE: the shape of a static tensor is a constant, folded at compile time (Keras's Flatten starts with it)."""
from __future__ import annotations

import numpy as np

from ..common import Arity, OpDef


def fold(graph, op, args) -> np.ndarray:
    return np.asarray(graph.tensors[op.inputs[0]].shape, dtype=np.int32)


OP = OpDef(kinds=("SHAPE",), arity={"SHAPE": Arity(1)}, options={"SHAPE": "ShapeOptions"}, fold=fold,
           fold_changes_type=True,
           fold_reads_shapes=True, types=())
