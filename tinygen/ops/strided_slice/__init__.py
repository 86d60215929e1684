"""STRIDED_SLICE (int8, int16, float32) → tg_transpose_s8's (_s16's, _f32's) strided walk from the slice's first
element, or an alias where the slice is its whole input; a slice of constants (Keras's Flatten takes the batch size
out of a SHAPE) folds.

TFLM's kernel reads begin/end/strides and the begin, end and shrink-axis masks of an input of rank 4 at most; it
ignores the ellipsis and new-axis masks and the offset option (its parameters leave them 0), and so does tinygen.
Per axis, the start, stop and the loop over them are those of TFLite's legacy reference StridedSlice
(strided_slice_logic.h StridedSliceStartForAxis / StridedSliceEndForAxis); Prepare's output shape check is
repeated here against the file's.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef, require_copied
from ..transpose import strided_copy
from ...errors import TinygenError

MAX_RANK = 4  # strided_slice_common.cc kMaxDim


@dataclass(frozen=True)
class Window:
    """Per input axis: the first index, the step and how many indices the slice takes; and which axes it keeps
    (a shrunk axis takes one index and leaves the output)."""
    starts: tuple[int, ...]
    steps: tuple[int, ...]
    counts: tuple[int, ...]
    kept: tuple[bool, ...]

    @property
    def shape(self) -> list[int]:
        return [c for c, k in zip(self.counts, self.kept) if k]


def _clamp(v: int, lo: int, hi: int) -> int:
    return hi if v > hi else lo if v < lo else v


def window(shape: list[int], begin, end, strides, options: dict) -> Window:
    """The slice as TFLite's legacy reference kernel walks it."""
    starts, steps, counts, kept = [], [], [], []
    for axis, size in enumerate(shape):
        stride, bit = int(strides[axis]), 1 << axis
        if stride == 0:
            raise ValueError("stride value has to be non-zero")
        start = int(begin[axis])
        start += size if start < 0 else 0
        start = _clamp(start, 0, size) if stride > 0 else _clamp(start, -1, size - 1)
        if options.get("begin_mask", 0) & bit:
            start = 0 if stride > 0 else size - 1
        shrink = bool(options.get("shrink_axis_mask", 0) & bit)
        if shrink:
            stop = start if start >= size else start + 1
        else:
            stop = int(end[axis])
            stop += size if stop < 0 else 0
            stop = _clamp(stop, 0, size) if stride > 0 else _clamp(stop, -1, size - 1)
            if options.get("end_mask", 0) & bit:
                stop = size if stride > 0 else -1
        span = stop - start if stride > 0 else start - stop
        starts.append(start)
        steps.append(stride)
        counts.append(max(0, -(-span // abs(stride))))
        kept.append(not shrink)
    return Window(tuple(starts), tuple(steps), tuple(counts), tuple(kept))


def _checked_window(graph, op, shape: list[int], begin, end, strides) -> Window:
    where = f"STRIDED_SLICE (operator {op.index})"
    y = graph.tensors[op.outputs[0]]
    if not all(len(v) == len(shape) for v in (begin, end, strides)):
        raise TinygenError(f"{where} slices a rank-{len(shape)} input with {len(begin)} begin, {len(end)} end and "
                           f"{len(strides)} stride values", "the model file is corrupted; re-export it")
    try:
        w = window(shape, begin, end, strides, op.options)
    except ValueError as e:
        raise TinygenError(f"{where}: {e}", "the model file is corrupted; re-export it") from None
    if w.shape != [int(d) for d in y.shape]:
        raise TinygenError(f"{where} slices {shape} into {w.shape}, but its output is {list(y.shape)}",
                           "the model file is corrupted; re-export it")
    return w


def _constant_indices(graph, op) -> list[np.ndarray]:
    where = f"STRIDED_SLICE (operator {op.index})"
    values = []
    for t in op.inputs[1:]:
        tensor = graph.tensors[t]
        if not tensor.is_const or tensor.dtype != "int32":
            raise TinygenError(f"{where} has run-time or {tensor.dtype} begin/end/strides; TFLite Micro reads them "
                               "as int32 constants", "export the model with constant slice bounds")
        values.append(tensor.data.reshape(-1))
    return values


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_copied(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
    shape = [int(d) for d in x.shape]
    if len(shape) > MAX_RANK:
        raise TinygenError(f"STRIDED_SLICE (operator {op.index}) has a rank-{len(shape)} input; TFLite Micro "
                           f"slices ranks up to {MAX_RANK}", f"reshape to rank {MAX_RANK} or less before slicing")
    w = _checked_window(graph, op, shape, *_constant_indices(graph, op))
    strides = [int(np.prod(shape[a + 1:])) for a in range(len(shape))]
    offset = sum(s * e for s, e in zip(w.starts, strides))
    bounds = ", ".join(f"{s}:{s + c * k}:{k}" if kept else str(s)
                       for s, c, k, kept in zip(w.starts, w.counts, w.steps, w.kept))
    return strided_copy(graph, op, list(w.counts), [k * e for k, e in zip(w.steps, strides)], offset,
                        f"STRIDED_SLICE {shape}[{bounds}] -> {w.shape}")


def fold(graph, op, args) -> np.ndarray:
    data, begin, end, strides = args
    w = _checked_window(graph, op, list(data.shape), begin.reshape(-1), end.reshape(-1), strides.reshape(-1))
    index = tuple(np.arange(c) * k + s for s, c, k in zip(w.starts, w.counts, w.steps))
    return np.asarray(data[np.ix_(*index)] if index else data).reshape(w.shape)


def example(m, rng) -> bytes:
    """Every other row and the channels backwards (negative stride, masks), then a shrunk axis; then, in int16,
    the rows backwards."""
    x = m.tensor([1, 6, 4, 5], scale=0.05, zero_point=-2)
    begin = m.tensor([4], "int32", data=np.array([0, 1, 0, -1], np.int32))
    end = m.tensor([4], "int32", data=np.array([1, 6, 3, 0], np.int32))
    strides = m.tensor([4], "int32", data=np.array([1, 2, 1, -2], np.int32))
    h = m.tensor([1, 3, 3, 3], scale=0.05, zero_point=-2)
    m.op("STRIDED_SLICE", [x, begin, end, strides], [h], end_mask=8)
    begin2 = m.tensor([4], "int32", data=np.array([0, 0, 1, 0], np.int32))
    end2 = m.tensor([4], "int32", data=np.array([1, 3, 2, 2], np.int32))
    ones = m.tensor([4], "int32", data=np.array([1, 1, 1, 1], np.int32))
    y8 = m.tensor([1, 3, 2], scale=0.05, zero_point=-2)
    m.op("STRIDED_SLICE", [h, begin2, end2, ones], [y8], shrink_axis_mask=4)
    x16 = m.tensor([1, 3, 2], "int16", scale=0.001)
    m.op("QUANTIZE", [y8], [x16])
    begin3 = m.tensor([3], "int32", data=np.array([0, -1, 0], np.int32))
    end3 = m.tensor([3], "int32", data=np.array([1, -4, 2], np.int32))
    backwards = m.tensor([3], "int32", data=np.array([1, -1, 1], np.int32))
    y = m.tensor([1, 3, 2], "int16", scale=0.001)
    m.op("STRIDED_SLICE", [x16, begin3, end3, backwards], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("STRIDED_SLICE",), arity={"STRIDED_SLICE": Arity(4)},
           options={"STRIDED_SLICE": "StridedSliceOptions"}, lower=lower, fold=fold, types=("int8", "int16", "float32"),
           example=example, header="tg_transpose.h")
