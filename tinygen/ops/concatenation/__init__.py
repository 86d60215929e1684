"""CONCATENATION (int8, int16) → one tg_concatenation_s8_{x,y,z,w} call per input (CMSIS-NN's argument lists).

TFLite Micro copies bytes: its Prepare requires every input to be quantized exactly like the output, so there
is nothing to rescale. The tensors are viewed as CMSIS-NN's 4-D [w][z][y][x] (x innermost) and the axis picks
the function. int16 tensors are copied as bytes too: viewed with an innermost dimension of their 2 bytes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef, require_float, require_per_tensor, require_quantized
from ...errors import TinygenError
from ...ir import DTYPES

MAX_INPUTS = 10  # TFLM's kMaxInputNum
MAX_RANK = 6  # TFLM's RuntimeShape::kMaxSmallSize
UINT16_MAX = 65535


@dataclass(frozen=True)
class Part:
    """One input viewed as CMSIS-NN's [w][z][y][x], and where along the axis it lands in the output."""
    x: int
    y: int
    z: int
    w: int
    offset: int


@dataclass(frozen=True)
class ConcatenationParams:
    axis: str  # "x", "y", "z" or "w"
    parts: tuple[Part, ...]
    output_len: int  # the output's extent along the axis
    bytes_of: str = ""  # the element type copied as bytes ("int16"), whose pointers the call casts


def view_4d(shape, axis: int) -> tuple[list[int], int]:
    """shape as 4 dimensions [w, z, y, x] keeping `axis` separate: dimensions next to each other on the same
    side of the axis merge (row-major order is unchanged), then leading 1s pad to rank 4."""
    dims = [int(d) for d in shape]
    while len(dims) > 4:
        i = next(i for i in range(len(dims) - 1) if axis not in (i, i + 1))
        dims[i:i + 2] = [dims[i] * dims[i + 1]]
        axis -= 1 if i < axis else 0
    return [1] * (4 - len(dims)) + dims, axis + 4 - len(dims)


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.outputs[0]].dtype == "float32":  # TFLM copies float32 bytes as it copies int8 ones
        y, *xs = require_float(graph, op, op.outputs[0], *op.inputs)
    else:
        (y,) = require_quantized(graph, op, ("int8", "int16"), op.outputs[0])
        xs = require_quantized(graph, op, (y.dtype,), *op.inputs)
        require_per_tensor(op, y, *xs)
    where = f"CONCATENATION (operator {op.index})"
    if len(xs) > MAX_INPUTS:
        raise TinygenError(f"{where} joins {len(xs)} tensors; TFLite Micro allows at most {MAX_INPUTS}",
                           "concatenate in stages of at most 10 inputs")
    if op.options.get("fused_activation_function", 0) != 0:
        raise TinygenError(f"{where} has a fused activation, which TFLite Micro rejects",
                           "apply the activation as a separate layer")
    rank = len(y.shape)
    if rank > MAX_RANK:
        raise TinygenError(f"{where} joins rank-{rank} tensors; TFLite Micro allows rank ≤ {MAX_RANK}",
                           "reshape to fewer dimensions before concatenating")
    axis = int(op.options.get("axis", 0))
    axis += rank if axis < 0 else 0
    if not 0 <= axis < rank:
        raise TinygenError(f"{where} has axis {op.options.get('axis')} for rank-{rank} tensors",
                           "the model file is corrupted; re-export it")
    for x in xs:
        if y.dtype == "int16" and (x.zero_point or y.zero_point):  # TFLM copies int16 whatever the scales
            raise TinygenError(f"{where}: int16 zero points must be 0 (TFLite Micro's Prepare)",
                               "quantize int16 activations symmetrically (the converter's 16x8 default)")
        if y.dtype == "int8" and (np.float64(x.scale) != np.float64(y.scale) or x.zero_point != y.zero_point):
            raise TinygenError(f"{where}: input '{x.name}' is quantized (scale {x.scale}, zero point "
                               f"{x.zero_point}) unlike the output (scale {y.scale}, zero point {y.zero_point}); "
                               "TFLite Micro concatenates int8 only without rescaling",
                               "convert with the TFLite converter, which requantizes inputs to a shared scale")
        others = [d for i, d in enumerate(x.shape) if i != axis]
        if len(x.shape) != rank or others != [d for i, d in enumerate(y.shape) if i != axis]:
            raise TinygenError(f"{where} cannot join {list(x.shape)} into {list(y.shape)} along axis {axis}",
                               "the model file is corrupted; re-export it")
    if sum(x.shape[axis] for x in xs) != y.shape[axis]:
        raise TinygenError(f"{where}: inputs {[list(x.shape) for x in xs]} do not add up to {list(y.shape)}",
                           "the model file is corrupted; re-export it")

    return joining_layer(op, y, [list(x.shape) for x in xs], axis,
                         f"CONCATENATION {' + '.join(str(list(x.shape)) for x in xs)} -> {list(y.shape)} "
                         f"(axis {axis})")


def joining_layer(op, y, shapes: list[list[int]], axis: int, summary: str) -> Layer:
    """The layer copying op's inputs, of `shapes` (y's rank), one after the other along `axis` into y: one
    tg_concatenation_s8_<axis> call per input (PACK's inputs come with their new axis of 1)."""
    element = [DTYPES[y.dtype]] if DTYPES[y.dtype] > 1 else []  # bytes of an element, innermost
    out_dims, axis4 = view_4d(list(y.shape) + element, axis)
    parts, offset = [], 0
    for shape in shapes:
        dims, _ = view_4d(shape + element, axis)
        w, z, yy, xx = dims
        parts.append(Part(xx, yy, z, w, offset))
        offset += dims[axis4]
    if max(out_dims + [max(p.x, p.y, p.z, p.w) for p in parts]) > UINT16_MAX:
        raise TinygenError(f"{op.kind} (operator {op.index}): a dimension of {list(y.shape)} exceeds 65535, the "
                           "limit of CMSIS-NN's concatenation arguments", "split the tensor into smaller ones")
    axis_name = "wzyx"[axis4]
    return Layer(op, "concatenation/concatenation.c.j2", f"tg_concatenation_s8_{axis_name}", tuple(op.inputs),
                 (op.outputs[0],), ConcatenationParams(axis_name, tuple(parts), out_dims[axis4],
                                                       y.dtype if element else ""), summary=summary)

def fold(graph, op, args) -> np.ndarray | None:
    """Constant shape vectors (Keras's Flatten builds them) join at compile time."""
    if any(graph.tensors[i].quant is not None for i in op.inputs):
        return None
    return np.concatenate(args, axis=op.options.get("axis", 0))


def example(m, rng) -> bytes:
    """Three inputs joined along the channels, then two along the rows."""
    x = m.tensor([1, 2, 3, 4], scale=0.05, zero_point=1)
    c1 = m.tensor([1, 2, 3, 1], scale=0.05, zero_point=1, data=rng.integers(-128, 128, (1, 2, 3, 1)).astype(np.int8))
    h = m.tensor([1, 2, 3, 9], scale=0.05, zero_point=1)
    m.op("CONCATENATION", [x, c1, x], [h], axis=3)
    y = m.tensor([1, 4, 3, 9], scale=0.05, zero_point=1)
    m.op("CONCATENATION", [h, h], [y], axis=-3)
    return m.finish([x], [y])


OP = OpDef(kinds=("CONCATENATION",), arity={"CONCATENATION": Arity(1, None)},
           options={"CONCATENATION": "ConcatenationOptions"}, lower=lower, types=("int8", "int16", "float32"),
           fold=fold,
           example=example, header="tg_concatenation.h")
