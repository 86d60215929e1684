"""BATCH_MATMUL on CMSIS-NN: arm_batch_matmul_s8 (TFLM's cmsis_nn port calls it) multiplies row by row against a
transposed right operand, each output through arm_nn_vec_mat_mult_t_s8 (the fully connected kernel's, with the
right operand's offset). Taken where its layout is the operands' own: the left operand [.., rows, depth]
(no adj_x), the right one [.., cols, depth] (adj_y, as attention's Q·Kᵀ has it), at most two batch axes, each
operand whole or broadcast along a batch axis (its strides are then the ones CMSIS-NN steps by). Helium sums
each right-operand row first: 4 bytes of scratch per column there."""
from __future__ import annotations

from dataclasses import dataclass

from ..common import Layer


@dataclass(frozen=True)
class CmsisBatchMatMul:
    p: object  # the portable layer's BatchMatMulParams
    lhs_dims: tuple[int, int, int, int]  # NHWC: batch axes 2 and 3, rows, depth
    rhs_dims: tuple[int, int, int, int]  # batch axes, cols, depth
    output_dims: tuple[int, int, int, int]


def _batch_extents(batches, strides, matrix: int) -> tuple[int, int] | None:
    """The operand's extents along the last two batch axes, or None where its strides are not CMSIS-NN's (whole
    matrices one after the other; 0 where broadcast)."""
    n, h = (b if s != 0 else 1 for b, s in zip(batches[1:], strides[1:]))
    if (h > 1 and strides[2] != matrix) or (n > 1 and strides[1] != h * matrix):
        return None
    return n, h


def retarget(layer: Layer, arch: str) -> Layer | None:
    p = layer.params
    if layer.kernel != "tg_batch_matmul_s8" or p.batches[0] != 1:
        return None
    if (p.lhs_row_stride, p.lhs_depth_stride, p.rhs_col_stride, p.rhs_depth_stride) != (p.depth, 1, p.depth, 1):
        return None
    lhs = _batch_extents(p.batches, p.lhs_batch_strides, p.rows * p.depth)
    rhs = _batch_extents(p.batches, p.rhs_batch_strides, p.cols * p.depth)
    if lhs is None or rhs is None:
        return None
    params = CmsisBatchMatMul(p, (*lhs, p.rows, p.depth), (*rhs, p.cols, p.depth),
                              (p.batches[1], p.batches[2], p.rows, p.cols))
    return layer.replace(kernel="arm_batch_matmul_s8", template="batch_matmul/batch_matmul_cmsis_nn.c.j2",
                         params=params, scratch_bytes=4 * p.cols if arch == "mve" else 0)
