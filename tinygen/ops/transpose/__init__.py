"""TRANSPOSE (int8, int16, float32: TFLM's types) → tg_transpose_s8/_s16/_f32, or an alias where it moves no
element: TFLite's reference Transpose, which copies elements and never requantizes.

TFLM's Prepare takes a constant int32 permutation of an input of rank 1 to 5. Offline, size-1 axes are dropped
and input axes that stay adjacent in the output merge; what is left is walked in output order with each output
axis's stride in the input (strided_copy, shared with SLICE and STRIDED_SLICE). A permutation that only moves
size-1 axes keeps the bytes in place: the output aliases the input, like RESHAPE. A transpose of a constant folds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, require_copied
from ..reshape import alias_layer
from ...errors import TinygenError

MAX_RANK = 5  # TransposePrepare: "Transpose op only supports 1D-5D input arrays."
WALK_RANK = 5  # tg_transpose_s8's loops


@dataclass(frozen=True)
class TransposeParams:
    """The output's extents (leading 1s padded to WALK_RANK), each output axis's element stride in the input, and
    the input element the first output reads (a slice's start)."""
    dims: tuple[int, ...]
    strides: tuple[int, ...]
    offset: int = 0


def walk(op, dims: list[int], strides: list[int], offset: int) -> TransposeParams:
    """tg_transpose_s8's parameters for writing an output in order from input element
    offset + sum(i_a * strides[a]): size-1 axes dropped and axes that step through the input as one merged, so the
    innermost loop is as long as it can be."""
    merged: list[list[int]] = []
    for d, s in zip(dims, strides):
        if d == 1:
            continue
        if merged and merged[-1][1] == s * d:
            merged[-1] = [merged[-1][0] * d, s]
        else:
            merged.append([d, s])
    if len(merged) > WALK_RANK:
        raise TinygenError(f"{op.kind} (operator {op.index}) walks {len(merged)} axes that do not merge; "
                           f"tinygen's kernel walks {WALK_RANK}", f"reshape to rank {WALK_RANK} or less")
    pad = WALK_RANK - len(merged)
    return TransposeParams(tuple([1] * pad + [d for d, _ in merged]), tuple([0] * pad + [s for _, s in merged]),
                           offset)


def strided_copy(graph, op, dims: list[int], strides: list[int], offset: int, summary: str) -> Layer:
    """The layer of walk(...) (TRANSPOSE, SLICE, STRIDED_SLICE, REVERSE_V2, DEPTH_TO_SPACE, SPACE_TO_DEPTH). An
    identity is an alias (a prefix is not: the memory plan aliases whole tensors)."""
    params = walk(op, dims, strides, offset)
    size = graph.tensors[op.inputs[0]].size
    live = [(d, s) for d, s in zip(params.dims, params.strides) if d != 1]
    if offset == 0 and graph.tensors[op.outputs[0]].size == size and live in ([], [(size, 1)]):
        return alias_layer(graph, op, summary)
    kernel = "tg_transpose_" + TYPE_SUFFIX[graph.tensors[op.inputs[0]].dtype]
    return Layer(op, "transpose/transpose.c.j2", kernel, (op.inputs[0],), (op.outputs[0],), params,
                 summary=summary)


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
    x, y = require_copied(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
    where = f"TRANSPOSE (operator {op.index})"
    if not 1 <= len(x.shape) <= MAX_RANK:
        raise TinygenError(f"{where} has a rank-{len(x.shape)} input; TFLite Micro transposes ranks 1 to "
                           f"{MAX_RANK}", f"reshape to rank {MAX_RANK} or less before transposing")
    perm = permutation(graph, op)
    shape = [int(d) for d in x.shape]
    input_strides = [int(np.prod(shape[a + 1:])) for a in range(len(shape))]
    return strided_copy(graph, op, [shape[a] for a in perm], [input_strides[a] for a in perm], 0,
                        f"TRANSPOSE {shape} by {perm} -> {list(y.shape)}")


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
           lower=lower, fold=fold, example=example, types=("int8", "int16", "float32"),
           header="tg_transpose.h")
