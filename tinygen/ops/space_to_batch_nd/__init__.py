"""SPACE_TO_BATCH_ND → tg_space_to_batch_s8 / _f32 and BATCH_TO_SPACE_ND → tg_gather5_s8 / _f32 (int8 and
float32, the types TFLM's kernels take; 3-D NHC tensors are NH1C, the block and paddings/crops constant int32).

TFLM's Prepare checks ranks and types only; its reference kernels read block_shape[0] (and [1] for 4-D) and the
top/left padding or crop, and take the output shape from the file, which is checked here against the block,
paddings and crops (anything else would leave output bytes unwritten). Both copy bytes: input and output must be
quantized alike (TFLite's Prepare requires it; TFLM trusts the converter).

SPACE_TO_BATCH_ND fills padding with SpaceToBatchParams.output_offset, which TFLM's Init allocates from the arena
and never sets: a fresh (zeroed) arena fills with 0, whatever the zero point, and tinygen fills with 0 (0.0f for
float32, which TFLM's float path casts from the same 0).
BATCH_TO_SPACE_ND is a gather: output (b, y, x, c) reads input batch ((y + top) % bh * bw + (x + left) % bw) * N
+ b, row (y + top) / bh, column (x + left) / bw, which splits into one offset table per output axis.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import (TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, require_copied, require_per_tensor,
                      require_same_quantization)
from ..gather import gather_layer
from ..reshape import alias_layer
from ...errors import TinygenError


@dataclass(frozen=True)
class SpaceToBatchParams:
    in_n: int
    in_h: int
    in_w: int
    depth: int
    out_n: int
    out_h: int
    out_w: int
    block_h: int
    block_w: int
    pad_top: int
    pad_left: int
    pad_value: int = 0


def geometry(graph, op):
    """(input NHWC, output NHWC, (bh, bw), ((top, bottom), (left, right))) after TFLM's checks and the shape
    checks it leaves to the file."""
    where = f"{op.kind} (operator {op.index})"
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    require_copied(graph, op, ("int8",), op.inputs[0], op.outputs[0])  # TFLM's types: int8 and float32
    require_per_tensor(op, x, y)
    require_same_quantization(op, x, y)
    rank = len(x.shape)
    if rank not in (3, 4) or len(y.shape) != rank:
        raise TinygenError(f"{where} maps a rank-{rank} input to rank {len(y.shape)}; TFLite Micro takes 3-D "
                           "(NHC) and 4-D (NHWC) tensors", "reshape to 3 or 4 dimensions")
    block, pads = (graph.tensors[t] for t in op.inputs[1:3])
    what = "paddings" if op.kind == "SPACE_TO_BATCH_ND" else "crops"
    for t, name in ((block, "block shape"), (pads, what)):
        if not t.is_const or t.dtype != "int32":
            raise TinygenError(f"{where} has a run-time or {t.dtype} {name}; tinygen needs int32 constants (TFLite "
                               "Micro reads them as int32)", f"export the model with a constant {name}")
    spatial = rank - 2
    if block.size != spatial or pads.size != 2 * spatial:
        raise TinygenError(f"{where} has a block shape of {block.size} and {what} of {pads.size} values for a "
                           f"rank-{rank} input ({spatial} spatial dimensions)",
                           "the model file is corrupted; re-export it")
    b = [int(v) for v in block.data.reshape(-1)] + [1] * (2 - spatial)
    p = [(int(lo), int(hi)) for lo, hi in pads.data.reshape(spatial, 2)] + [(0, 0)] * (2 - spatial)
    xs = [int(d) for d in x.shape]
    ys = [int(d) for d in y.shape]
    x4 = xs if rank == 4 else [xs[0], xs[1], 1, xs[2]]
    y4 = ys if rank == 4 else [ys[0], ys[1], 1, ys[2]]
    ok = min(b) >= 1 and min(v for pair in p for v in pair) >= 0
    if op.kind == "SPACE_TO_BATCH_ND":
        ok = ok and all((x4[1 + a] + sum(p[a])) % b[a] == 0 for a in range(2))
        expected = [x4[0] * b[0] * b[1]] + [(x4[1 + a] + sum(p[a])) // b[a] for a in range(2)] + [x4[3]]
    else:
        ok = ok and x4[0] % (b[0] * b[1]) == 0
        expected = [x4[0] // (b[0] * b[1])] + [x4[1 + a] * b[a] - sum(p[a]) for a in range(2)] + [x4[3]]
    if not ok or y4 != expected or min(expected) < 1:
        raise TinygenError(f"{where} with block {b[:spatial]} and {what} {p[:spatial]} maps {xs} to {ys}",
                           "the model file is corrupted; re-export it")
    return x4, y4, b, p


def lower(graph, op, ctx: LowerContext) -> Layer:
    x4, y4, (bh, bw), pads = geometry(graph, op)
    dtype = graph.tensors[op.inputs[0]].dtype
    summary = f"{op.kind} {x4} block {[bh, bw]} {pads} -> {y4}"
    if bh == bw == 1 and pads == [(0, 0), (0, 0)]:
        return alias_layer(graph, op, summary)
    n, h, w, c = x4
    if op.kind == "SPACE_TO_BATCH_ND":
        params = SpaceToBatchParams(n, h, w, c, y4[0], y4[1], y4[2], bh, bw, pads[0][0], pads[1][0])
        return Layer(op, "space_to_batch_nd/space_to_batch.c.j2", "tg_space_to_batch_" + TYPE_SUFFIX[dtype],
                     (op.inputs[0],), (op.outputs[0],), params, summary=summary)
    on, oh, ow, _ = y4
    rows, cols = np.arange(oh) + pads[0][0], np.arange(ow) + pads[1][0]
    tables = [np.arange(on) * h * w * c,
              (rows % bh) * bw * on * h * w * c + (rows // bh) * w * c,
              (cols % bw) * on * h * w * c + (cols // bw) * c,
              np.arange(c)]
    return gather_layer(op, tables, summary, dtype=dtype)


def example(m, rng) -> bytes:
    """A dilated convolution's pattern: SPACE_TO_BATCH_ND with padding, a RELU, BATCH_TO_SPACE_ND with crops."""
    x = m.tensor([1, 5, 6, 3], scale=0.05, zero_point=0)
    block = m.tensor([2], "int32", data=np.array([2, 2], np.int32))
    pads = m.tensor([2, 2], "int32", data=np.array([[1, 2], [0, 2]], np.int32))
    s = m.tensor([4, 4, 4, 3], scale=0.05, zero_point=0)
    m.op("SPACE_TO_BATCH_ND", [x, block, pads], [s])
    r = m.tensor([4, 4, 4, 3], scale=0.05, zero_point=0)
    m.op("RELU", [s], [r])
    crops = m.tensor([2, 2], "int32", data=np.array([[1, 0], [0, 1]], np.int32))
    y = m.tensor([1, 7, 7, 3], scale=0.05, zero_point=0)
    m.op("BATCH_TO_SPACE_ND", [r, block, crops], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND"),
           arity={"SPACE_TO_BATCH_ND": Arity(3), "BATCH_TO_SPACE_ND": Arity(3)},
           options={"SPACE_TO_BATCH_ND": "SpaceToBatchNDOptions", "BATCH_TO_SPACE_ND": "BatchToSpaceNDOptions"},
           lower=lower, types=("int8", "float32"), example=example, header="tg_space_to_batch.h")
