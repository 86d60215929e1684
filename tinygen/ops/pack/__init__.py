"""PACK of constants (Keras's Flatten assembles its target shape with it), folded at compile time."""
from __future__ import annotations

import numpy as np

from ..common import Arity, OpDef


def fold(graph, op, args) -> np.ndarray:
    return np.stack(args, axis=op.options.get("axis", 0))


OP = OpDef(kinds=("PACK",), arity={"PACK": Arity(1, None)}, options={"PACK": "PackOptions"}, fold=fold, types=())
