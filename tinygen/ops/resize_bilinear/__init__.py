"""RESIZE_BILINEAR (int8) → tg_resize_bilinear_s8: TFLite's reference ResizeBilinearInteger (no floating point:
scales in 1/1024ths, four products summed and rounded half away from zero by 2^20), with each output row's and
column's two source indices and weight (ComputeInterpolationValuesInteger) computed here.

TFLM's Prepare takes a rank-4 input, a constant int32 size of 2 values, and refuses half_pixel_centers together
with align_corners.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef, const, require_int8
from ..resize_nearest_neighbor import ResizeParams, output_size
from ...errors import TinygenError

ONE = 1 << 10  # the reference's fixed-point 1


@dataclass(frozen=True)
class BilinearParams:
    size: ResizeParams


def interpolation(out_size: int, in_size: int, align_corners: bool, half_pixel_centers: bool) -> np.ndarray:
    """Per output index: (lower index, upper index, weight of the upper one in 1/1024ths), as
    ComputeInterpolationValuesInteger computes them with the reference's integer scale; C++ division truncates."""
    if align_corners and out_size > 1:
        scale = (ONE * (in_size - 1) + (out_size - 1) // 2) // (out_size - 1)
    else:
        scale = (ONE * in_size + out_size // 2) // out_size
    rows = []
    for v in range(out_size):
        scaled = v * scale + scale // 2 - (1 << 9) if half_pixel_centers else v * scale
        lower = max(int(scaled / ONE), 0)  # truncation toward zero, as in C++
        upper = min(int((scaled + ONE - 1) / ONE), in_size - 1)
        rows.append((lower, upper, scaled - ONE * lower))
    return np.array(rows, np.int64).reshape(-1, 3)


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    where = f"RESIZE_BILINEAR (operator {op.index})"
    out_h, out_w = output_size(graph, op, x, y)
    align, half = bool(op.options.get("align_corners", False)), bool(op.options.get("half_pixel_centers", False))
    if align and half:
        raise TinygenError(f"{where} sets both align_corners and half_pixel_centers; TFLite Micro refuses that",
                           "re-export the model with one of them")
    n, in_h, in_w, depth = (int(d) for d in x.shape)
    rows, cols = interpolation(out_h, in_h, align, half), interpolation(out_w, in_w, align, half)
    rows[:, :2] *= in_w * depth  # offsets of the input rows within a batch
    cols[:, :2] *= depth  # of the input pixels within a row
    consts = (const("rows", "int32_t", rows.reshape(-1).astype(np.int32)),
              const("cols", "int32_t", cols.reshape(-1).astype(np.int32)))
    return Layer(op, "resize_bilinear/resize_bilinear.c.j2", "tg_resize_bilinear_s8", (op.inputs[0],),
                 (op.outputs[0],), BilinearParams(ResizeParams(n, in_h, in_w, out_h, out_w, depth)), consts,
                 macs=4 * int(y.size), summary=f"RESIZE_BILINEAR {in_h}x{in_w}x{depth} -> {out_h}x{out_w}"
                 + (" align_corners" if align else "") + (" half_pixel_centers" if half else ""))


def example(m, rng) -> bytes:
    """2x upsampling with half-pixel centers (weights below 0 at the borders), then align_corners to 5x3."""
    x = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=1)
    size = m.tensor([2], "int32", data=np.array([6, 8], np.int32))
    h = m.tensor([1, 6, 8, 5], scale=0.05, zero_point=1)
    m.op("RESIZE_BILINEAR", [x, size], [h], half_pixel_centers=True)
    size2 = m.tensor([2], "int32", data=np.array([5, 3], np.int32))
    y = m.tensor([1, 5, 3, 5], scale=0.05, zero_point=1)
    m.op("RESIZE_BILINEAR", [h, size2], [y], align_corners=True)
    return m.finish([x], [y])


OP = OpDef(kinds=("RESIZE_BILINEAR",), arity={"RESIZE_BILINEAR": Arity(2)},
           options={"RESIZE_BILINEAR": "ResizeBilinearOptions"}, lower=lower, example=example,
           header="tg_resize_bilinear.h")
