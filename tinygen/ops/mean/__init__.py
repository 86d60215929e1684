"""MEAN and SUM (int8, int16) → tg_mean_s8 / tg_mean_s16.

TFLite Micro (QuantizedMeanOrSum): sum each output's inputs in int32, subtract zero point × count, then one
MultiplyByQuantizedMultiplier of in_scale / out_scale (Prepare's QuantizeMultiplier), for MEAN with 1 / count
folded into it as Eval does (mean_multiplier); int16 (16x8) is the same arithmetic on int16 values. keep_dims
changes only the output shape, not its bytes. The reduction's loop nest is shared with REDUCE_MAX / REDUCE_MIN (../reduce_max).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import (TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, require_float, require_per_tensor,
                      require_quantized, require_same_type)
from ...errors import TinygenError
from ...quant import TYPE_RANGE, requantize_multiplier


@dataclass(frozen=True)
class MeanParams:
    """tg_mean_params: kept and reduced dimensions as (count, input stride) pairs, two of each."""
    outer: tuple[int, int]
    outer_stride: tuple[int, int]
    inner: tuple[int, int]
    inner_stride: tuple[int, int]
    sum_offset: int  # -input zero point × number of reduced values
    mult: int
    shift: int
    output_offset: int
    count: float = 0.0  # float32 MEAN: the divisor


def mean_multiplier(input_scale: float, output_scale: float, count: int) -> tuple[int, int]:
    """QuantizedMeanOrSum: shift = min(floor(log2 count), 32, 31 + shift) bits of 1/count go into the
    multiplier, the rest into the exponent."""
    mult, shift = requantize_multiplier(input_scale, output_scale)
    extra = min(count.bit_length() - 1, 32, 31 + shift)
    return int((mult << extra) // count), shift - extra


def loop_nest(shape, axes: set[int]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(kept, reduced) dimensions as (count, stride in elements) lists, outermost first, after merging
    neighbours of the same kind and dropping size-1 dimensions."""
    groups: list[list] = []  # [reduced?, count, stride]
    stride = 1
    for d in reversed(range(len(shape))):
        n = int(shape[d])
        if n != 1:
            if groups and groups[-1][0] == (d in axes) and groups[-1][2] * groups[-1][1] == stride:
                groups[-1][1] *= n
            else:
                groups.append([d in axes, n, stride])
        stride *= n
    groups.reverse()
    kept = [(n, s) for r, n, s in groups if not r]
    reduced = [(n, s) for r, n, s in groups if r]
    return kept, reduced


def constant_axes(graph, op, x) -> set[int]:
    """The axes of x that input 1, a constant int32 axis list, names (negative ones counted from the end)."""
    where = f"{op.kind} (operator {op.index})"
    axis = graph.tensors[op.inputs[1]]
    if not axis.is_const or axis.dtype != "int32":
        raise TinygenError(f"{where} needs constant int32 axes (has {axis.dtype}"
                           f"{'' if axis.is_const else ', computed at run time'})",
                           "export the model with constant reduction axes")
    rank = len(x.shape)
    axes = set()
    for a in axis.data.reshape(-1):
        a = int(a)
        if not -rank <= a < rank:
            raise TinygenError(f"{where} reduces axis {a} of a rank-{rank} tensor",
                               "the model file is corrupted; re-export it")
        axes.add(a + rank if a < 0 else a)
    return axes


def reduction(graph, op, x, y) -> tuple[set[int], int, list[tuple[int, int]], list[tuple[int, int]]]:
    """(axes, values per output, kept and reduced loop dimensions padded to 2 each) of a reduction over a
    constant int32 axis list, checked against the shapes."""
    where = f"{op.kind} (operator {op.index})"
    axes = constant_axes(graph, op, x)
    count = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
    if count == 0 or x.size == 0:
        raise TinygenError(f"{where} reduces an empty tensor {list(x.shape)}", "remove the empty tensor")
    if y.size * count != x.size:
        raise TinygenError(f"{where} reduces {list(x.shape)} over {sorted(axes)} into {list(y.shape)}",
                           "the model file is corrupted; re-export it")
    kept, reduced = loop_nest(x.shape, axes)
    if len(kept) > 2 or len(reduced) > 2:
        raise TinygenError(f"{where} reduces axes {sorted(axes)} of {list(x.shape)}, which interleave in more "
                           "than 2 separate groups", "reduce neighbouring axes, or reduce in two steps")
    return axes, count, [(1, 0)] * (2 - len(kept)) + kept, [(1, 0)] * (2 - len(reduced)) + reduced


def lower_float(graph, op) -> Layer:
    """float32 → tg_mean_f32 / tg_sum_f32 (TFLM's reference float Mean and Sum)."""
    x, y = require_float(graph, op, op.inputs[0], op.outputs[0])
    axes, count, kept, reduced = reduction(graph, op, x, y)
    params = MeanParams(tuple(n for n, _ in kept), tuple(s for _, s in kept), tuple(n for n, _ in reduced),
                        tuple(s for _, s in reduced), 0, 0, 0, 0, float(np.float32(count)))
    return Layer(op, "mean/mean.c.j2", f"tg_{op.kind.lower()}_f32", (op.inputs[0],), (op.outputs[0],), params,
                 macs=x.size,
                 summary=f"{op.kind} {list(x.shape)} over axes {sorted(axes)} -> {list(y.shape)} (float32)")


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float(graph, op)
    x, y = require_quantized(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    require_same_type(op, x, y)
    axes, count, kept, reduced = reduction(graph, op, x, y)
    mult, shift = mean_multiplier(x.scale, y.scale, count) if op.kind == "MEAN" else \
        requantize_multiplier(x.scale, y.scale)
    sum_offset = -x.zero_point * count  # TFLM subtracts zero point × count from the int32 sum
    lo, hi = TYPE_RANGE[x.dtype]
    # |sum + sum_offset| <= (hi - lo) * count must fit the int32 accumulator (TFLM's would wrap).
    if not -(1 << 31) <= sum_offset < (1 << 31) or (hi - lo) * count >= (1 << 31):
        raise TinygenError(f"{op.kind} (operator {op.index}) sums {count} values, too many for int32",
                           "reduce fewer values at once")
    params = MeanParams(tuple(n for n, _ in kept), tuple(s for _, s in kept), tuple(n for n, _ in reduced),
                        tuple(s for _, s in reduced), sum_offset, mult, shift, y.zero_point)
    return Layer(op, "mean/mean.c.j2", "tg_mean_" + TYPE_SUFFIX[x.dtype], (op.inputs[0],), (op.outputs[0],), params,
                 macs=x.size, summary=f"{op.kind} {list(x.shape)} over axes {sorted(axes)} -> {list(y.shape)}")


def example(m, rng) -> bytes:
    """Global average over H, W (keep_dims), then over the channels of the result, then a SUM."""
    x = m.tensor([1, 5, 4, 6], scale=0.05, zero_point=-3)
    hw = m.tensor([2], "int32", data=np.array([1, 2], np.int32))
    h = m.tensor([1, 1, 1, 6], scale=0.02, zero_point=4)
    m.op("MEAN", [x, hw], [h], keep_dims=True)
    c = m.tensor([1], "int32", data=np.array([3], np.int32))
    t = m.tensor([1, 1, 1], scale=0.01, zero_point=-1)
    m.op("MEAN", [h, c], [t], keep_dims=False)
    w = m.tensor([1], "int32", data=np.array([2], np.int32))
    y = m.tensor([1, 1], scale=0.02, zero_point=5)
    m.op("SUM", [t, w], [y], keep_dims=False)
    return m.finish([x], [y])


OP = OpDef(kinds=("MEAN", "SUM"), arity={"MEAN": Arity(2), "SUM": Arity(2)},
           options={"MEAN": "ReducerOptions", "SUM": "ReducerOptions"}, lower=lower,
           types=("int8", "int16", "float32"), example=example, header="tg_mean.h")
