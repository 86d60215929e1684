"""PACK (int8, float32) → CONCATENATION's copies, each input given its new axis of 1; of constants (Keras's
Flatten assembles its target shape with it) folded at compile time.

TFLite Micro's kernel copies the inputs' elements, whatever their quantization (it has no Prepare), so copying
bytes is exact for every scale.
"""
from __future__ import annotations

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef, require_copied
from ..concatenation import joining_layer
from ...errors import TinygenError


def lower(graph, op, ctx: LowerContext) -> Layer:
    y, *xs = require_copied(graph, op, ("int8",), op.outputs[0], *op.inputs)
    shape = [int(d) for d in xs[0].shape]
    axis = int(op.options.get("axis", 0))
    axis += len(shape) + 1 if axis < 0 else 0
    if (not 0 <= axis <= len(shape) or any([int(d) for d in x.shape] != shape for x in xs)
            or [int(d) for d in y.shape] != shape[:axis] + [len(xs)] + shape[axis:]):
        raise TinygenError(f"PACK (operator {op.index}) stacks {[list(x.shape) for x in xs]} along axis "
                           f"{op.options.get('axis', 0)} into {list(y.shape)}",
                           "the model file is corrupted; re-export it")
    return joining_layer(op, y, [shape[:axis] + [1] + shape[axis:]] * len(xs), axis,
                         f"PACK {len(xs)} x {shape} along axis {axis} -> {list(y.shape)}")


def fold(graph, op, args) -> np.ndarray:
    return np.stack(args, axis=op.options.get("axis", 0))


def example(m, rng) -> bytes:
    """An input and its sum with a constant stacked along a new middle axis, twice (negative axis)."""
    x = m.tensor([2, 3], scale=0.05, zero_point=-3)
    c = m.tensor([2, 3], scale=0.05, zero_point=-3, data=rng.integers(-128, 128, (2, 3)).astype(np.int8))
    s = m.tensor([2, 3], scale=0.05, zero_point=-3)
    m.op("ADD", [x, c], [s])
    y = m.tensor([2, 3, 3], scale=0.05, zero_point=-3)
    m.op("PACK", [x, s, x], [y], values_count=3, axis=1)
    z = m.tensor([2, 3, 3, 2], scale=0.05, zero_point=-3)
    m.op("PACK", [y, y], [z], values_count=2, axis=-1)
    return m.finish([x], [z])


OP = OpDef(kinds=("PACK",), arity={"PACK": Arity(1, None)}, options={"PACK": "PackOptions"}, lower=lower,
           fold=fold, example=example, types=("int8", "float32"), header="tg_concatenation.h")
