"""UNPACK (int8, int16, float32) → one tg_transpose_s8 (_s16, _f32) walk per output: TFLM's kernel copies slice i
along `axis` (negative counts from the end) into output i, whose shape drops that axis; `num` outputs, the axis's
extent."""
from __future__ import annotations

from ..common import Arity, Layer, LowerContext, OpDef, require_copied
from ..split import parts_layer
from ...errors import TinygenError


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, *ys = require_copied(graph, op, ("int8", "int16"), op.inputs[0], *op.outputs)
    shape = [int(d) for d in x.shape]
    axis = int(op.options.get("axis", 0))
    axis += len(shape) if axis < 0 else 0
    kept = shape[:axis] + shape[axis + 1:]
    if not 0 <= axis < len(shape) or len(ys) != shape[axis] or any([int(d) for d in y.shape] != kept for y in ys):
        raise TinygenError(f"UNPACK (operator {op.index}) unpacks {shape} along axis {axis} into "
                           f"{[list(y.shape) for y in ys]}", "the model file is corrupted; re-export it")
    return parts_layer(graph, op, 0, [kept] * len(ys), axis, list(range(len(ys))),
                       f"UNPACK {shape} along axis {axis}", keep_axis=False)


def example(m, rng) -> bytes:
    """A [2, 3, 4] tensor unpacked along its middle axis, two of the parts added."""
    x = m.tensor([2, 3, 4], scale=0.05, zero_point=-3)
    parts = [m.tensor([2, 4], scale=0.05, zero_point=-3) for _ in range(3)]
    m.op("UNPACK", [x], parts, num=3, axis=-2)
    y = m.tensor([2, 4], scale=0.07, zero_point=1)
    m.op("ADD", [parts[2], parts[0]], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("UNPACK",), types=("int8", "int16", "float32"),
           arity={"UNPACK": Arity(1, outputs=None)}, options={"UNPACK": "UnpackOptions"},
           lower=lower, example=example, header="tg_transpose.h")
