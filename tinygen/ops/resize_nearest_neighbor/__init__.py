"""RESIZE_NEAREST_NEIGHBOR (int8, int16, float32: TFLM's types) → tg_resize_nearest_s8 / _s16 / _f32: each
output pixel a copy of the input pixel TFLite's reference GetNearestNeighbor picks, its row and column tables
computed here with the reference's float32 arithmetic (scale, the half-pixel offset, floor or, with align_corners,
round half away from zero).

TFLM's Prepare takes a rank-4 input and a constant int32 size of 2 values; the output shape is the file's and
must be [batch, size..., depth].
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, const, require_copied
from ...errors import TinygenError


@dataclass(frozen=True)
class ResizeParams:
    batches: int
    in_h: int
    in_w: int
    out_h: int
    out_w: int
    depth: int


def nearest(out_size: int, in_size: int, align_corners: bool, half_pixel_centers: bool) -> np.ndarray:
    """GetNearestNeighbor for every output index, in float32 as the reference computes it."""
    f32 = np.float32
    scale = (f32(in_size - 1) / f32(out_size - 1) if align_corners and out_size > 1 else f32(in_size) / f32(out_size))
    offset = f32(0.5) if half_pixel_centers else f32(0.0)
    values = (np.arange(out_size).astype(f32) + offset) * scale
    # std::round of a value >= 0: floor(v + 1/2), exact in float64 (not in float32, where v + 1/2 may round up)
    picked = np.floor(values.astype(np.float64) + 0.5) if align_corners else np.floor(values)
    index = np.minimum(picked.astype(np.int64), in_size - 1)
    return np.maximum(index, 0) if half_pixel_centers else index


def output_size(graph, op, x, y) -> tuple[int, int]:
    """The constant (height, width) a resize produces, checked against the file's output shape. (The bytes are
    the input's values whatever the output's quantization says: TFLM does not requantize.)"""
    where = f"{op.kind} (operator {op.index})"
    size = graph.tensors[op.inputs[1]]
    if not size.is_const or size.dtype != "int32" or size.size != 2:
        raise TinygenError(f"{where} has a run-time or {size.dtype} size; TFLite Micro needs 2 constant int32 "
                           "values", "export the model with a constant output size")
    out_h, out_w = (int(v) for v in size.data.reshape(-1))
    if len(x.shape) != 4 or [int(d) for d in y.shape] != [int(x.shape[0]), out_h, out_w, int(x.shape[3])]:
        raise TinygenError(f"{where} resizes {list(x.shape)} to {out_h}x{out_w} but its output is {list(y.shape)}",
                           "the model file is corrupted; re-export it")
    return out_h, out_w


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_copied(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
    out_h, out_w = output_size(graph, op, x, y)
    n, in_h, in_w, depth = (int(d) for d in x.shape)
    align, half = bool(op.options.get("align_corners", False)), bool(op.options.get("half_pixel_centers", False))
    rows = nearest(out_h, in_h, align, half)
    cols = nearest(out_w, in_w, align, half)
    consts = (const("rows", "int32_t", (rows * in_w * depth).astype(np.int32)),
              const("cols", "int32_t", (cols * depth).astype(np.int32)))
    kernel = "tg_resize_nearest_" + TYPE_SUFFIX[x.dtype]
    return Layer(op, "resize_nearest_neighbor/resize_nearest_neighbor.c.j2", kernel, (op.inputs[0],),
                 (op.outputs[0],), ResizeParams(n, in_h, in_w, out_h, out_w, depth), consts,
                 summary=f"RESIZE_NEAREST_NEIGHBOR {in_h}x{in_w}x{depth} -> {out_h}x{out_w}"
                         + (" align_corners" if align else "") + (" half_pixel_centers" if half else ""))


def example(m, rng) -> bytes:
    """2x upsampling, then a downsampling with half-pixel centers to a size the input does not divide."""
    x = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=1)
    size = m.tensor([2], "int32", data=np.array([6, 8], np.int32))
    h = m.tensor([1, 6, 8, 5], scale=0.05, zero_point=1)
    m.op("RESIZE_NEAREST_NEIGHBOR", [x, size], [h])
    size2 = m.tensor([2], "int32", data=np.array([4, 3], np.int32))
    y = m.tensor([1, 4, 3, 5], scale=0.05, zero_point=1)
    m.op("RESIZE_NEAREST_NEIGHBOR", [h, size2], [y], half_pixel_centers=True)
    return m.finish([x], [y])


OP = OpDef(kinds=("RESIZE_NEAREST_NEIGHBOR",), arity={"RESIZE_NEAREST_NEIGHBOR": Arity(2)},
           options={"RESIZE_NEAREST_NEIGHBOR": "ResizeNearestNeighborOptions"}, lower=lower,
           types=("int8", "int16", "float32"), example=example, header="tg_resize_nearest_neighbor.h")
