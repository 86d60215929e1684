"""GATHER_ND (int8 or float32 params, int32 indices) → tg_gather5_s8 (_f32) for constant indices, tg_gather_nd_s8
(_f32) for run-time ones.

TFLM's GatherNd copies, for each index tuple (the indices' last axis, at most 5 long), the slice of the params
that starts at sum(index_j * count_j), count_j the elements one step along params axis j skips. Its only check
is that the slice lies inside the params (an index past its axis but landing inside is read as is); the sum is
an int, wrapping as TFLM's does. Constant indices are checked here, and the slices tabulated; an index TFLM
rejects is refused. Run-time indices are checked by the kernel as TFLM checks them: invoke then fails, as
TFLM's does. A gather of constant params by constant indices folds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import (TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, require_copied, require_per_tensor,
                      require_same_quantization)
from ..gather import gather_layer
from ...errors import TinygenError

MAX_ND = 5  # gather_nd.cc MAX_INDICES_ND


@dataclass(frozen=True)
class GatherNdParams:
    slices: int
    nd: int
    counts: tuple[int, ...]  # MAX_ND of them, unused ones 0
    slice: int
    flat: int
    rows: int = 0  # EMBEDDING_LOOKUP's per-index check (ops/embedding_lookup)


def wrap32(values: np.ndarray) -> np.ndarray:
    """int64 sums as a C int32 keeps them on TFLM's targets: modulo 2^32, two's complement."""
    return ((values.astype(np.int64) + 2**31) % 2**32) - 2**31


def geometry(graph, op) -> GatherNdParams:
    """The layout, after TFLM's Prepare checks and its output shape compared with the file's."""
    where = f"GATHER_ND (operator {op.index})"
    params, indices, y = (graph.tensors[t] for t in (op.inputs[0], op.inputs[1], op.outputs[0]))
    if indices.dtype != "int32":
        raise TinygenError(f"{where} has {indices.dtype} indices; TFLite Micro gathers by int32 indices",
                           "export the model with int32 indices")
    shape, ishape = [int(d) for d in params.shape], [int(d) for d in indices.shape]
    nd = ishape[-1] if ishape else 0
    if not shape or not ishape or nd > len(shape) or nd > MAX_ND:
        raise TinygenError(f"{where} gathers {ishape} indices from {shape}; TFLite Micro needs params and indices "
                           f"of rank ≥ 1 and tuples of at most min(params rank, {MAX_ND})",
                           "the model file is corrupted; re-export it")
    if [int(d) for d in y.shape] != ishape[:-1] + shape[nd:]:
        raise TinygenError(f"{where} gathers {ishape} indices from {shape} into {list(y.shape)}",
                           "the model file is corrupted; re-export it")
    counts = [int(np.prod(shape[j + 1:])) for j in range(nd)]
    return GatherNdParams(int(np.prod(ishape[:-1])), nd, tuple(counts + [0] * (MAX_ND - nd)),
                          int(np.prod(shape[nd:])), int(np.prod(shape)))


def starts(op, g: GatherNdParams, indices: np.ndarray) -> np.ndarray:
    """Each tuple's first element, or a refusal where TFLM's kernel fails."""
    tuples = indices.reshape(g.slices, g.nd).astype(np.int64)
    start = wrap32(wrap32(tuples * np.array(g.counts[:g.nd], np.int64)).sum(axis=1))
    bad = np.flatnonzero((start < 0) | (start + g.slice > g.flat))
    if len(bad):
        raise TinygenError(f"{op.kind} (operator {op.index}): index {tuples[bad[0]].tolist()} (tuple {bad[0]}) "
                           "lies outside the params; TFLite Micro fails on it", "fix the indices")
    return start


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_copied(graph, op, ("int8",), op.inputs[0], op.outputs[0])  # TFLM's int32 params: not yet
    require_per_tensor(op, x, y)
    require_same_quantization(op, x, y)
    g = geometry(graph, op)
    indices = graph.tensors[op.inputs[1]]
    summary = f"GATHER_ND {g.slices} x {g.nd} indices from {list(x.shape)}"
    if indices.is_const:
        return gather_layer(op, [starts(op, g, indices.data), np.arange(g.slice)], summary, dtype=x.dtype)
    return Layer(op, "gather_nd/gather_nd.c.j2", "tg_gather_nd_" + TYPE_SUFFIX[x.dtype], (op.inputs[0], op.inputs[1]),
                 (op.outputs[0],), g, summary=summary + " (run time)")


def fold(graph, op, args) -> np.ndarray:
    g = geometry(graph, op)
    flat = np.asarray(args[0]).reshape(-1)
    rows = [flat[s:s + g.slice] for s in starts(op, g, args[1])]
    return np.concatenate(rows).reshape(graph.tensors[op.outputs[0]].shape)


def example(m, rng) -> bytes:
    """Run-time index tuples (ARG_MAX of the input: always inside the axis) picking rows of a constant table."""
    x = m.tensor([3, 1, 4], scale=0.05, zero_point=-2)
    axis = m.tensor([], "int32", data=np.array(2, np.int32))
    idx = m.tensor([3, 1], "int32")
    m.op("ARG_MAX", [x, axis], [idx], output_type=2)
    table = m.tensor([4, 5], scale=0.05, zero_point=-2, data=rng.integers(-128, 128, (4, 5)).astype(np.int8))
    y = m.tensor([3, 5], scale=0.05, zero_point=-2)
    m.op("GATHER_ND", [table, idx], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("GATHER_ND",), arity={"GATHER_ND": Arity(2)}, options={"GATHER_ND": "GatherNdOptions"},
           lower=lower, fold=fold, index_inputs=(1,), types=("int8", "float32"), example=example,
           header="tg_gather_nd.h")
