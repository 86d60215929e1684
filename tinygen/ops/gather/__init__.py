"""GATHER (int8 and float32 data, TFLM's types; constant int32 indices as TFLM takes them, batch_dims 0) →
tg_gather5_s8 (_f32): TFLM's Gather copies, for each outer index and index value, the inner block at that position
along `axis`; with constant indices that is one table of input offsets per output axis (outer, indices, inner), the
kernel MIRROR_PAD shares. Indices outside the axis are refused (TFLM only DCHECKs them: a release build would read
outside the input).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, const, require_copied
from ...errors import TinygenError

RANK = 5  # tg_gather5_s8's axes


@dataclass(frozen=True)
class GatherParams:
    dims: tuple[int, ...]  # output extents, leading 1s padded to RANK


def gather_layer(op, tables: list[np.ndarray], summary: str, source: int = 0, dtype: str = "int8") -> Layer:
    """The layer whose output element (i0..) reads element sum(tables[a][i_a]) of op.inputs[source] (of
    `dtype`), axes outermost first."""
    if len(tables) > RANK:
        raise TinygenError(f"{op.kind} (operator {op.index}) walks {len(tables)} axes; tinygen's gather walks "
                           f"{RANK}", f"reshape to rank {RANK} or less")
    lead = RANK - len(tables)
    tables = [np.zeros(1, np.int64)] * lead + list(tables)
    consts = tuple(const(f"axis{a}", "int32_t", t.astype(np.int32)) for a, t in enumerate(tables))
    return Layer(op, "gather/gather.c.j2", "tg_gather5_" + TYPE_SUFFIX[dtype], (op.inputs[source],), (op.outputs[0],),
                 GatherParams(tuple(len(t) for t in tables)), consts, summary=summary)


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_copied(graph, op, ("int8",), op.inputs[0], op.outputs[0])
    where = f"GATHER (operator {op.index})"
    coords = graph.tensors[op.inputs[1]]
    if coords.dtype != "int32":
        raise TinygenError(f"{where} has {coords.dtype} indices; TFLite Micro gathers int32 indices",
                           "export the model with int32 indices")
    if not coords.is_const:
        raise TinygenError(f"{where} has run-time indices; tinygen gathers constant ones",
                           "make the indices constants of the model")
    shape = [int(d) for d in x.shape]
    axis = int(op.options.get("axis", 0))
    axis += len(shape) if axis < 0 else 0
    batch_dims = int(op.options.get("batch_dims", 0))
    if batch_dims != 0:
        raise TinygenError(f"{where} has batch_dims {batch_dims}; tinygen gathers with batch_dims 0",
                           "gather per batch, or keep the batch dimension out of the GATHER")
    if not 0 <= axis < len(shape):
        raise TinygenError(f"{where} gathers along axis {axis} of {shape}", "the model file is corrupted; re-export it")
    index = coords.data.reshape(-1).astype(np.int64)
    if np.any(index < 0) or np.any(index >= shape[axis]):
        raise TinygenError(f"{where} gathers indices outside axis {axis} of {shape} "
                           f"(from {int(index.min())} to {int(index.max())})", "fix the indices")
    expected = shape[:axis] + [int(d) for d in coords.shape] + shape[axis + 1:]
    if [int(d) for d in y.shape] != expected:
        raise TinygenError(f"{where} gathers {list(coords.shape)} indices from {shape} into {list(y.shape)}",
                           "the model file is corrupted; re-export it")
    outer, inner = int(np.prod(shape[:axis])), int(np.prod(shape[axis + 1:]))
    tables = [np.arange(outer) * shape[axis] * inner, index * inner, np.arange(inner)]
    return gather_layer(op, tables, f"GATHER {len(index)} of {shape[axis]} along axis {axis} of {shape}",
                        dtype=x.dtype)


def example(m, rng) -> bytes:
    """Channels picked (repeats, reordered), then rows."""
    x = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=2)
    c = m.tensor([6], "int32", data=np.array([4, 0, 0, 2, 3, 1], np.int32))
    h = m.tensor([1, 3, 4, 6], scale=0.05, zero_point=2)
    m.op("GATHER", [x, c], [h], axis=-1)
    r = m.tensor([2], "int32", data=np.array([2, 0], np.int32))
    y = m.tensor([1, 2, 4, 6], scale=0.05, zero_point=2)
    m.op("GATHER", [h, r], [y], axis=1)
    return m.finish([x], [y])


OP = OpDef(kinds=("GATHER",), types=("int8", "float32"), arity={"GATHER": Arity(2)},
           options={"GATHER": "GatherOptions"}, lower=lower, example=example, header="tg_gather.h")
