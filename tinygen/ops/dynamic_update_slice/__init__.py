"""DYNAMIC_UPDATE_SLICE (int8, int16) → tg_dynamic_update_slice_s8 / _s16, in place over the operand where the
memory plan lets the output take its buffer (then only the update is written).

TFLM's Prepare takes an operand and an update of one type and rank, the update no larger along any axis, and
rank-1 int32 or int64 start indices, one per axis; its EvalImpl copies the operand, clamps each start into
[0, dim - update dim] and writes the update there. Constant indices are clamped here (int64 ones too); run-time
ones must be int32 (the kernel clamps them as TFLM does). Bytes are copied, so the operand, update and output
must be quantized alike. An update of constants folds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import (TYPE_SUFFIX, Arity, InPlace, Layer, LowerContext, OpDef, const, require_per_tensor,
                      require_quantized, require_same_quantization, require_same_type)
from ...errors import TinygenError

RANK = 6  # tg_dynamic_update_slice's axes, TFLM's kMaxDimensions


@dataclass(frozen=True)
class DusParams:
    rank: int
    dims: tuple[int, ...]
    update: tuple[int, ...]
    size: int


def geometry(graph, op) -> tuple[list[int], list[int]]:
    """The operand's and the update's shapes after TFLM's Prepare checks (and the output's against the file)."""
    where = f"DYNAMIC_UPDATE_SLICE (operator {op.index})"
    x, u, s, y = (graph.tensors[t] for t in (*op.inputs[:3], op.outputs[0]))
    xs, us = [int(d) for d in x.shape], [int(d) for d in u.shape]
    if s.dtype not in ("int32", "int64") or len(s.shape) != 1 or s.size != len(xs):
        raise TinygenError(f"{where} has {s.dtype} start indices of shape {list(s.shape)} for a rank-{len(xs)} "
                           "operand; TFLite Micro takes one int32 or int64 index per axis",
                           "the model file is corrupted; re-export it")
    if (len(us) != len(xs) or any(b > a for a, b in zip(xs, us)) or [int(d) for d in y.shape] != xs
            or not 1 <= len(xs) <= RANK):
        raise TinygenError(f"{where} writes a {us} update into a {xs} operand giving {list(y.shape)}; TFLite Micro "
                           f"needs one rank (≤ {RANK}), no axis of the update longer than the operand's",
                           "the model file is corrupted; re-export it")
    return xs, us


def clamped(xs: list[int], us: list[int], starts: np.ndarray) -> np.ndarray:
    """TFLM's CalculateClampedStartIndices."""
    return np.clip(starts.reshape(-1).astype(np.int64), 0, np.array(xs) - np.array(us)).astype(np.int32)


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, u, y = require_quantized(graph, op, ("int8", "int16"), op.inputs[0], op.inputs[1], op.outputs[0])
    require_same_type(op, x, u)
    require_same_type(op, x, y)
    require_per_tensor(op, x, u, y)
    require_same_quantization(op, u, y)
    require_same_quantization(op, x, y)
    xs, us = geometry(graph, op)
    starts = graph.tensors[op.inputs[2]]
    lead = RANK - len(xs)
    params = DusParams(len(xs), tuple([1] * lead + xs), tuple([1] * lead + us), x.size)
    kernel = f"tg_dynamic_update_slice_{TYPE_SUFFIX[x.dtype]}"
    summary = f"DYNAMIC_UPDATE_SLICE {us} into {xs}"
    inplace = (InPlace(0, (kernel,)),)
    if starts.is_const:
        at = clamped(xs, us, starts.data)
        return Layer(op, "dynamic_update_slice/dynamic_update_slice.c.j2", kernel, (op.inputs[0], op.inputs[1]),
                     (op.outputs[0],), params, (const("start", "int32_t", at),), inplace=inplace,
                     summary=f"{summary} at {at.tolist()}")
    if starts.dtype != "int32":
        raise TinygenError(f"DYNAMIC_UPDATE_SLICE (operator {op.index}) has run-time {starts.dtype} start "
                           "indices; tinygen reads run-time indices as int32", "export int32 start indices")
    return Layer(op, "dynamic_update_slice/dynamic_update_slice.c.j2", kernel, tuple(op.inputs[:3]),
                 (op.outputs[0],), params, inplace=inplace, summary=f"{summary} (run-time start)")


def fold(graph, op, args) -> np.ndarray:
    xs, us = geometry(graph, op)
    out = np.array(args[0], copy=True)
    at = clamped(xs, us, args[2])
    out[tuple(slice(a, a + n) for a, n in zip(at, us))] = args[1]
    return out


def example(m, rng) -> bytes:
    """A RELU's output updated in place by a constant patch at clamped constant indices (one past its range)."""
    x = m.tensor([2, 4, 5], scale=0.05, zero_point=-1)
    h = m.tensor([2, 4, 5], scale=0.05, zero_point=-1)
    m.op("RELU", [x], [h])
    patch = m.tensor([1, 2, 3], scale=0.05, zero_point=-1, data=rng.integers(-128, 128, (1, 2, 3)).astype(np.int8))
    start = m.tensor([3], "int32", data=np.array([1, 1, 4], np.int32))
    y = m.tensor([2, 4, 5], scale=0.05, zero_point=-1)
    m.op("DYNAMIC_UPDATE_SLICE", [h, patch, start], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("DYNAMIC_UPDATE_SLICE",), arity={"DYNAMIC_UPDATE_SLICE": Arity(3)},
           options={"DYNAMIC_UPDATE_SLICE": "DynamicUpdateSliceOptions"}, lower=lower, types=("int8", "int16"),
           fold=fold, index_inputs=(2,), example=example, header="tg_dynamic_update_slice.h")
