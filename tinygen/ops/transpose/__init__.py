"""TRANSPOSE (int8) → tg_transpose_s8, or an alias where it moves no byte: TFLite's reference Transpose.

TFLM's Prepare takes a constant int32 permutation of an input of rank 1 to 5. Offline, size-1 axes are dropped
and input axes that stay adjacent in the output merge; what is left is walked in output order with each output
axis's stride in the input. A permutation that only moves size-1 axes keeps the bytes in place: the output
aliases the input, like RESHAPE. A transpose of a constant folds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef, require_int8
from ..reshape import alias_layer
from ...errors import TinygenError

MAX_RANK = 5  # TransposePrepare: "Transpose op only supports 1D-5D input arrays."


@dataclass(frozen=True)
class TransposeParams:
    """The output's extents (leading 1s padded to MAX_RANK) and each output axis's element stride in the input."""
    dims: tuple[int, ...]
    strides: tuple[int, ...]


def collapse(shape: list[int], perm: list[int]) -> tuple[list[int], list[int]]:
    """The same transpose over fewer axes: size-1 axes dropped, runs of input axes the output keeps adjacent and
    in order merged into one. Returns (input shape, permutation)."""
    order = [a for a in perm if shape[a] != 1]  # kept input axes in output order
    runs: list[list[int]] = []
    for a in order:
        if runs and a == runs[-1][-1] + 1:
            runs[-1].append(a)
        else:
            runs.append([a])
    by_input = sorted(range(len(runs)), key=lambda r: runs[r][0])
    merged_shape = [int(np.prod([shape[a] for a in runs[r]])) for r in by_input]
    position = {r: i for i, r in enumerate(by_input)}
    return merged_shape, [position[r] for r in range(len(runs))]


def permutation(graph, op) -> list[int]:
    """The constant permutation, checked as TFLM's Prepare checks it, and that it is one that gives the output's
    shape."""
    x, perm, y = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]], graph.tensors[op.outputs[0]]
    where = f"TRANSPOSE (operator {op.index})"
    if not perm.is_const or perm.dtype != "int32":
        raise TinygenError(f"{where} has a run-time or {perm.dtype} permutation; TFLite Micro needs a constant "
                           "int32 one", "export the model with a constant permutation")
    values = [int(v) for v in perm.data.reshape(-1)]
    if len(perm.shape) != 1 or sorted(values) != list(range(len(x.shape))):
        raise TinygenError(f"{where} permutes the axes of {list(x.shape)} by {values}, which is not a permutation "
                           "of them", "the model file is corrupted; re-export it")
    if [int(x.shape[a]) for a in values] != [int(d) for d in y.shape]:
        raise TinygenError(f"{where} transposes {list(x.shape)} by {values} into {list(y.shape)}",
                           "the model file is corrupted; re-export it")
    return values


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    where = f"TRANSPOSE (operator {op.index})"
    if not 1 <= len(x.shape) <= MAX_RANK:
        raise TinygenError(f"{where} has a rank-{len(x.shape)} input; TFLite Micro transposes ranks 1 to "
                           f"{MAX_RANK}", f"reshape to rank {MAX_RANK} or less before transposing")
    perm = permutation(graph, op)
    shape, moved = collapse([int(d) for d in x.shape], perm)
    summary = f"TRANSPOSE {list(x.shape)} by {perm} -> {list(y.shape)}"
    if moved == sorted(moved):  # only size-1 axes move: the bytes stay in order
        return alias_layer(graph, op, summary)
    input_strides = [int(np.prod(shape[a + 1:])) for a in range(len(shape))]
    pad = MAX_RANK - len(moved)
    params = TransposeParams(tuple([1] * pad + [shape[a] for a in moved]),
                             tuple([0] * pad + [input_strides[a] for a in moved]))
    return Layer(op, "transpose/transpose.c.j2", "tg_transpose_s8", (op.inputs[0],), (op.outputs[0],), params,
                 summary=summary)


def fold(graph, op, args) -> np.ndarray:
    return np.transpose(args[0], permutation(graph, op))


def example(m, rng) -> bytes:
    """NHWC → NCHW (a real transpose), then a swap of a size-1 axis (an alias)."""
    x = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=3)
    perm = m.tensor([4], "int32", data=np.array([0, 3, 1, 2], np.int32))
    h = m.tensor([1, 5, 3, 4], scale=0.05, zero_point=3)
    m.op("TRANSPOSE", [x, perm], [h])
    swap = m.tensor([4], "int32", data=np.array([1, 0, 2, 3], np.int32))
    y = m.tensor([5, 1, 3, 4], scale=0.05, zero_point=3)
    m.op("TRANSPOSE", [h, swap], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("TRANSPOSE",), arity={"TRANSPOSE": Arity(2)}, options={"TRANSPOSE": "TransposeOptions"},
           lower=lower, fold=fold, example=example, header="tg_transpose.h")
