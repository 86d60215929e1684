"""MIRROR_PAD (int8, float32: TFLM's types) → tg_gather5_s8 (_f32): output element (i0..i4) = input element t0[i0] +
... + t4[i4], each axis's table the input offsets of TFLM's GetInputDimension (REFLECT: offset 1, the edge not
repeated; SYMMETRIC: 0) computed here. Constant int32 or int64 paddings; an index outside the input (paddings too
large for the mode) is refused, where TFLM would read outside its buffer.
"""
from __future__ import annotations

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef, require_copied
from ..gather import RANK, gather_layer
from ...errors import TinygenError


def source_index(i: int, left: int, size: int, offset: int) -> int:
    """TFLM's GetInputDimension."""
    if i < left:
        original = left + offset - 1
        return original - min(i, original - offset)
    i -= left
    if i >= size:
        i -= size
        original = size - (1 + offset)
        return original - min(i, original)
    return i


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_copied(graph, op, ("int8",), op.inputs[0], op.outputs[0])
    where = f"MIRROR_PAD (operator {op.index})"
    pads = graph.tensors[op.inputs[1]]
    shape, out = [int(d) for d in x.shape], [int(d) for d in y.shape]
    if not pads.is_const or pads.dtype not in ("int32", "int64") or pads.size != 2 * len(shape):
        raise TinygenError(f"{where} needs constant int32 or int64 paddings, 2 per axis",
                           "export the model with constant paddings")
    if len(shape) > RANK:
        raise TinygenError(f"{where} pads a rank-{len(shape)} tensor; tinygen pads ranks up to {RANK}",
                           f"reshape to rank {RANK} or less")
    if len(out) != len(shape):
        raise TinygenError(f"{where} changes the rank from {len(shape)} to {len(out)}", "the model file is corrupted")
    pairs = pads.data.reshape(-1, 2).astype(np.int64)
    offset = 1 if int(op.options.get("mode", 0)) == 0 else 0  # schema MirrorPadMode: REFLECT 0, SYMMETRIC 1
    strides = [int(np.prod(shape[a + 1:])) for a in range(len(shape))]
    tables = []
    for axis, (size, (left, right)) in enumerate(zip(shape, pairs)):
        if out[axis] != size + left + right or left < 0 or right < 0:
            raise TinygenError(f"{where} pads axis {axis} of {shape} by {int(left)}, {int(right)} into {out}",
                               "the model file is corrupted; re-export it")
        index = [source_index(i, int(left), size, offset) for i in range(out[axis])]
        if any(not 0 <= v < size for v in index):
            raise TinygenError(f"{where} pads axis {axis} (size {size}) by {int(left)}, {int(right)}, more than "
                               f"{'REFLECT' if offset else 'SYMMETRIC'} mode allows", "pad less")
        tables.append(np.array(index, np.int64) * strides[axis])
    return gather_layer(op, tables, f"MIRROR_PAD {'REFLECT' if offset else 'SYMMETRIC'} {shape} -> {out}",
                        dtype=x.dtype)


def example(m, rng) -> bytes:
    """REFLECT padding of rows and columns, then SYMMETRIC padding of the channels."""
    x = m.tensor([1, 4, 3, 2], scale=0.05, zero_point=1)
    p1 = m.tensor([4, 2], "int32", data=np.array([[0, 0], [2, 1], [1, 2], [0, 0]], np.int32))
    h = m.tensor([1, 7, 6, 2], scale=0.05, zero_point=1)
    m.op("MIRROR_PAD", [x, p1], [h], mode=0)
    p2 = m.tensor([4, 2], "int64", data=np.array([[0, 0], [0, 0], [0, 0], [2, 1]], np.int64))
    y = m.tensor([1, 7, 6, 5], scale=0.05, zero_point=1)
    m.op("MIRROR_PAD", [h, p2], [y], mode=1)
    return m.finish([x], [y])


OP = OpDef(kinds=("MIRROR_PAD",), types=("int8", "float32"),
           arity={"MIRROR_PAD": Arity(2)}, options={"MIRROR_PAD": "MirrorPadOptions"},
           lower=lower, example=example, header="tg_gather.h")
