"""BATCH_MATMUL (int8) → tg_batch_matmul_s8: out[b, i, j] = requantize(sum_k (L'[b, i, k] - zL)(R'[b, k, j] - zR))
with L' = L or its transpose (adj_x), R' = R or its transpose (adj_y), batch dimensions broadcast.

TFLM (micro/kernels/batch_matmul.cc) transposes into scratch and calls the reference BatchMatMul with the operands
swapped; the integer sum of each output is the same, so tinygen reads both operands in place through strides.
Prepare: ranks 2 to 5, one multiplier of the scales' product over the output scale
(GetQuantizedConvolutionMultipler), int8's whole range as the clamp, int32 accumulators. CMSIS-NN's
arm_batch_matmul_s8 where the operands are laid out as it reads them (cmsis_nn.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import cmsis_nn
from ..common import Arity, Layer, LowerContext, OpDef, require_int8, require_per_tensor
from ...errors import TinygenError
from ...quant import per_tensor_conv_multiplier

BATCH_AXES = 3  # the reference extends both shapes to rank 5: 3 batch axes, rows, columns


@dataclass(frozen=True)
class BatchMatMulParams:
    batches: tuple[int, ...]  # the output's 3 batch extents
    lhs_batch_strides: tuple[int, ...]  # 0 where the operand is broadcast
    rhs_batch_strides: tuple[int, ...]
    rows: int
    cols: int
    depth: int
    lhs_row_stride: int  # L'[i, k] at i * row stride + k * depth stride
    lhs_depth_stride: int
    rhs_depth_stride: int  # R'[k, j] at k * depth stride + j * col stride
    rhs_col_stride: int
    lhs_offset: int
    rhs_offset: int
    output_offset: int
    mult: int
    shift: int


def _batch_strides(shape: list[int], out_batches: list[int]) -> tuple[int, ...]:
    """Element strides of an operand's 3 (left-padded) batch axes, 0 on the axes it is broadcast along."""
    full = [1] * (BATCH_AXES + 2 - len(shape)) + shape
    strides = [int(np.prod(full[a + 1:])) for a in range(len(full))]
    return tuple(0 if full[a] == 1 and out_batches[a] != 1 else strides[a] for a in range(BATCH_AXES))


def lower(graph, op, ctx: LowerContext) -> Layer:
    lhs, rhs, y = require_int8(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    require_per_tensor(op, lhs, rhs, y)
    where = f"BATCH_MATMUL (operator {op.index})"
    ls, rs, ys = ([int(d) for d in t.shape] for t in (lhs, rhs, y))
    if not (2 <= len(ls) <= 5 and 2 <= len(rs) <= 5):
        raise TinygenError(f"{where} multiplies ranks {len(ls)} and {len(rs)}; TFLite Micro takes ranks 2 to 5",
                           "reshape the operands")
    adj_x, adj_y = bool(op.options.get("adj_x", False)), bool(op.options.get("adj_y", False))
    rows, depth = (ls[-1], ls[-2]) if adj_x else (ls[-2], ls[-1])
    depth_r, cols = (rs[-1], rs[-2]) if adj_y else (rs[-2], rs[-1])
    pad_l = [1] * (BATCH_AXES + 2 - len(ls)) + ls
    pad_r = [1] * (BATCH_AXES + 2 - len(rs)) + rs
    batches = []
    for a in range(BATCH_AXES):
        if pad_l[a] != pad_r[a] and 1 not in (pad_l[a], pad_r[a]):
            raise TinygenError(f"{where} has batch dimensions {ls[:-2]} and {rs[:-2]} that do not broadcast",
                               "the model file is corrupted; re-export it")
        batches.append(max(pad_l[a], pad_r[a]))
    expected = batches[BATCH_AXES - (max(len(ls), len(rs)) - 2):] + [rows, cols]
    if depth != depth_r or ys != expected:
        raise TinygenError(f"{where} multiplies {ls} by {rs} (adj_x {adj_x}, adj_y {adj_y}) into {ys}",
                           "the model file is corrupted; re-export it")
    if 255 * 255 * depth >= 2**31:
        raise TinygenError(f"{where} sums {depth} products, which could overflow TFLite's int32 accumulator",
                           "split the product")
    mult, shift = per_tensor_conv_multiplier(lhs.scale, rhs.scale, y.scale)
    params = BatchMatMulParams(
        tuple(batches), _batch_strides(ls, batches), _batch_strides(rs, batches), rows, cols, depth,
        1 if adj_x else ls[-1], ls[-1] if adj_x else 1,  # L [.., rows, depth] or [.., depth, rows]
        1 if adj_y else rs[-1], rs[-1] if adj_y else 1,  # R [.., depth, cols] or [.., cols, depth]
        -lhs.zero_point, -rhs.zero_point, y.zero_point, mult, shift)
    return Layer(op, "batch_matmul/batch_matmul.c.j2", "tg_batch_matmul_s8", (op.inputs[0], op.inputs[1]),
                 (op.outputs[0],), params, macs=int(np.prod(batches)) * rows * cols * depth,
                 summary=f"BATCH_MATMUL {ls} x {rs}" + (" adj_x" if adj_x else "") + (" adj_y" if adj_y else ""))


def example(m, rng) -> bytes:
    """Attention-like: x·xᵀ (adj_y) per batch, then times a constant matrix broadcast over the batch."""
    x = m.tensor([2, 3, 4], scale=0.05, zero_point=-2)
    s = m.tensor([2, 3, 3], scale=0.1, zero_point=3)
    m.op("BATCH_MATMUL", [x, x], [s], adj_y=True)
    w = m.tensor([3, 5], scale=0.02, zero_point=1, data=rng.integers(-128, 128, (3, 5)).astype(np.int8))
    y = m.tensor([2, 3, 5], scale=0.15, zero_point=-4)
    m.op("BATCH_MATMUL", [s, w], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("BATCH_MATMUL",), arity={"BATCH_MATMUL": Arity(2)},
           options={"BATCH_MATMUL": "BatchMatMulOptions"}, lower=lower, backends={"cmsis-nn": cmsis_nn.retarget},
           example=example, header="tg_batch_matmul.h")
