"""PAD / PADV2 (int8) → tg_pad_s8 (CMSIS-NN's arm_pad_s8 arguments).

TFLite Micro copies the input bytes unchanged (no rescale, whatever the quantizations) and fills with the
output zero point (PAD) or the constant_values scalar (PADV2, which must be quantized like the output).
"""
from __future__ import annotations

import numpy as np

from ..errors import TinygenError
from . import Layer, LowerContext, require_int8, require_per_tensor

MAX_RANK = 5  # TFLM's PadKernelMaxDimensionCount


def collapse(dims: list[int], pads: list[tuple[int, int]]) -> tuple[list[int], list[tuple[int, int]]]:
    """Fewer dimensions, same bytes: a dimension without padding folds into the one before it (whose padding
    scales by its size) and unpadded dimensions of size 1 vanish."""
    out_dims, out_pads = [], []
    for d, (lo, hi) in zip(dims, pads):
        if lo == hi == 0 and (d == 1 or out_dims):
            if out_dims:
                out_dims[-1] *= d
                out_pads[-1] = (out_pads[-1][0] * d, out_pads[-1][1] * d)
            continue
        out_dims.append(d)
        out_pads.append((lo, hi))
    return out_dims, out_pads


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, y)
    where = f"{op.kind} (operator {op.index})"
    paddings = graph.tensors[op.inputs[1]]
    if not paddings.is_const:
        raise TinygenError(f"{where} has run-time paddings; TFLite Micro needs them constant",
                           "export the model with constant paddings")
    rank = len(x.shape)
    if paddings.dtype != "int32" or paddings.size != 2 * rank or rank > MAX_RANK:
        raise TinygenError(f"{where} has {paddings.dtype} paddings of shape {list(paddings.shape)} for a "
                           f"rank-{rank} input; TFLite Micro reads int32 [rank, 2] paddings, rank ≤ {MAX_RANK}",
                           "export the model with int32 paddings and a rank ≤ 5 input")
    pads = [(int(lo), int(hi)) for lo, hi in paddings.data.reshape(rank, 2)]
    if any(lo < 0 or hi < 0 for lo, hi in pads) or len(y.shape) != rank or any(
            x.shape[i] + lo + hi != y.shape[i] for i, (lo, hi) in enumerate(pads)):
        raise TinygenError(f"{where} pads {list(x.shape)} by {pads} into {list(y.shape)}",
                           "the model file is corrupted; re-export it")
    if len(op.inputs) > 2 and op.inputs[2] >= 0:
        (value,) = require_int8(graph, op, op.inputs[2])
        if not value.is_const or value.size != 1:
            raise TinygenError(f"{where}: the padding value must be one constant", "export a constant scalar")
        if np.float64(value.scale) != np.float64(y.scale) or value.zero_point != y.zero_point:
            raise TinygenError(f"{where}: the padding value is quantized unlike the output, which TFLite Micro "
                               "rejects", "convert with the TFLite converter")
        pad_value = int(value.data.reshape(-1)[0])
    else:
        pad_value = y.zero_point
    dims, pads4 = collapse(list(x.shape), pads)
    if len(dims) > 4:
        raise TinygenError(f"{where} pads {len(dims)} separate dimensions of {list(x.shape)}; tinygen pads up to 4",
                           "pad at most 4 dimensions")
    dims = [1] * (4 - len(dims)) + dims
    pads4 = [(0, 0)] * (4 - len(pads4)) + pads4
    return Layer(op, "pad", [op.inputs[0]], [op.outputs[0]],
                 dict(kernel="tg_pad_s8", pad_value=pad_value, dims=dims, pre=[lo for lo, _ in pads4], post=[hi for _, hi in pads4]),
                 summary=f"{op.kind} {list(x.shape)} by {pads} -> {list(y.shape)}, value {pad_value}")
