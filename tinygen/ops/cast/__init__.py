"""CAST of constants, folded at compile time (its folding, like SHAPE's, may change the type)."""
from __future__ import annotations

import numpy as np

from ..common import Arity, OpDef


def fold(graph, op, args) -> np.ndarray:
    return args[0]


OP = OpDef(kinds=("CAST",), arity={"CAST": Arity(1)}, options={"CAST": "CastOptions"}, fold=fold,
           fold_changes_type=True, types=())
