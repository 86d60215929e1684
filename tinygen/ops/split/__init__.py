"""SPLIT and SPLIT_V (int8, int16, float32) → one tg_transpose_s8 (_s16, _f32) walk per output, each from its start
along the axis.

TFLM's kernels need a constant axis (SPLIT: input 0, SPLIT_V: input 2; negative counts from the end) and copy
each output's extent along it in turn; SPLIT_V's size_splits only fix the output shapes, which must add up to the
input's extent (one -1 takes the rest). The outputs' shapes are the file's.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, require_copied
from ..transpose import TransposeParams, walk
from ...errors import TinygenError

# kind -> (input index of the data, of the axis)
INPUTS = {"SPLIT": (1, 0), "SPLIT_V": (0, 2)}


@dataclass(frozen=True)
class PartsParams:
    """One walk per output, in output order."""
    parts: tuple[TransposeParams, ...]


def split_axis(graph, op, rank: int, axis_input: int) -> int:
    where = f"{op.kind} (operator {op.index})"
    t = graph.tensors[op.inputs[axis_input]]
    if not t.is_const or t.dtype != "int32" or t.size != 1:
        raise TinygenError(f"{where} has a run-time or {t.dtype} axis; TFLite Micro needs one constant int32",
                           "export the model with a constant split axis")
    axis = int(t.data.reshape(-1)[0])
    axis += rank if axis < 0 else 0
    if not 0 <= axis < rank:
        raise TinygenError(f"{where} splits axis {axis} of a rank-{rank} input",
                           "the model file is corrupted; re-export it")
    return axis


def parts_layer(graph, op, data_input: int, outputs_shapes: list[list[int]], axis: int, starts: list[int],
                summary: str, keep_axis: bool = True) -> Layer:
    """The layer writing output i from element starts[i] along `axis` of the input on (SPLIT, SPLIT_V, UNPACK:
    whose outputs drop the axis, keep_axis False)."""
    shape = [int(d) for d in graph.tensors[op.inputs[data_input]].shape]
    strides = [int(np.prod(shape[a + 1:])) for a in range(len(shape))]
    walk_strides = strides if keep_axis else strides[:axis] + strides[axis + 1:]
    parts = tuple(walk(op, out, walk_strides, start * strides[axis]) for out, start in zip(outputs_shapes, starts))
    kernel = "tg_transpose_" + TYPE_SUFFIX[graph.tensors[op.inputs[data_input]].dtype]
    return Layer(op, "split/split.c.j2", kernel, (op.inputs[data_input],), tuple(op.outputs),
                 PartsParams(parts), summary=summary)


def lower(graph, op, ctx: LowerContext) -> Layer:
    data_input, axis_input = INPUTS[op.kind]
    x, *ys = require_copied(graph, op, ("int8", "int16"), op.inputs[data_input], *op.outputs)
    where = f"{op.kind} (operator {op.index})"
    shape = [int(d) for d in x.shape]
    axis = split_axis(graph, op, len(shape), axis_input)
    outs = [[int(d) for d in y.shape] for y in ys]
    expected = shape[axis] // len(ys) if op.kind == "SPLIT" else None
    for out in outs:
        if len(out) != len(shape) or any(o != s for a, (o, s) in enumerate(zip(out, shape)) if a != axis) or \
                (expected is not None and out[axis] != expected):
            raise TinygenError(f"{where} splits {shape} along axis {axis} into {outs}",
                               "the model file is corrupted; re-export it")
    extents = [out[axis] for out in outs]
    if sum(extents) != shape[axis]:
        raise TinygenError(f"{where} splits {shape[axis]} elements of axis {axis} into {extents}",
                           "the model file is corrupted; re-export it")
    starts = [int(v) for v in np.cumsum([0] + extents[:-1])]
    return parts_layer(graph, op, data_input, outs, axis, starts,
                       f"{op.kind} {shape} along axis {axis} into {', '.join(map(str, extents))}")


def example(m, rng) -> bytes:
    """SPLIT of the channels in two (inner walks), SPLIT_V of one half's rows into 1 + 3 (contiguous parts), the
    rows concatenated back and added to the other half."""
    x = m.tensor([1, 4, 3, 6], scale=0.05, zero_point=2)
    axis = m.tensor([1], "int32", data=np.array([-1], np.int32))
    a = m.tensor([1, 4, 3, 3], scale=0.05, zero_point=2)
    b = m.tensor([1, 4, 3, 3], scale=0.05, zero_point=2)
    m.op("SPLIT", [axis, x], [a, b], num_splits=2)
    sizes = m.tensor([2], "int32", data=np.array([1, -1], np.int32))
    axis1 = m.tensor([1], "int32", data=np.array([1], np.int32))
    c = m.tensor([1, 1, 3, 3], scale=0.05, zero_point=2)
    d = m.tensor([1, 3, 3, 3], scale=0.05, zero_point=2)
    m.op("SPLIT_V", [b, sizes, axis1], [c, d], num_splits=2)
    e = m.tensor([1, 4, 3, 3], scale=0.05, zero_point=2)
    m.op("CONCATENATION", [d, c], [e], axis=1)
    y = m.tensor([1, 4, 3, 3], scale=0.08, zero_point=-1)
    m.op("ADD", [a, e], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("SPLIT", "SPLIT_V"), types=("int8", "int16", "float32"),
           arity={"SPLIT": Arity(2, outputs=None), "SPLIT_V": Arity(3, outputs=None)},
           options={"SPLIT": "SplitOptions", "SPLIT_V": "SplitVOptions"}, lower=lower, example=example,
           header="tg_transpose.h")
