"""PAD / PADV2 (int8, int16) → tg_pad_s8 / _s16 (CMSIS-NN's arm_pad_s8 arguments).

TFLite Micro copies the input bytes unchanged (no rescale, whatever the quantizations) and fills with the
output zero point (PAD) or the constant_values scalar (PADV2, which must be quantized like the output). For
int16 it fills PAD with 0, whatever the zero point, and does not compare PADV2's value's quantization.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import cmsis_nn
from ..common import (TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, require_float, require_per_tensor,
                      require_quantized, require_same_type)
from ...errors import TinygenError

MAX_RANK = 5  # TFLM's PadKernelMaxDimensionCount


@dataclass(frozen=True)
class PadParams:
    """arm_pad_s8's arguments: 4 dimensions, padding before and after each, the fill value."""
    dims: tuple[int, ...]
    pre: tuple[int, ...]
    post: tuple[int, ...]
    pad_value: int | float  # in the output's type


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
    where = f"{op.kind} (operator {op.index})"
    if graph.tensors[op.inputs[0]].dtype == "float32":  # TFLM's float Pad: the value, or +0.0f
        x, y = require_float(graph, op, op.inputs[0], op.outputs[0])
    else:
        x, y = require_quantized(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
        require_per_tensor(op, y)
        require_same_type(op, x, y, "the model file is corrupted; re-export it")
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
    if len(op.inputs) > 2 and op.inputs[2] >= 0 and y.dtype == "float32":
        (value,) = require_float(graph, op, op.inputs[2])
        if not value.is_const or value.size != 1:
            raise TinygenError(f"{where}: the padding value must be one constant", "export a constant scalar")
        pad_value = float(value.data.reshape(-1)[0])
    elif len(op.inputs) > 2 and op.inputs[2] >= 0:
        (value,) = require_quantized(graph, op, (y.dtype,), op.inputs[2])
        if not value.is_const or value.size != 1:
            raise TinygenError(f"{where}: the padding value must be one constant", "export a constant scalar")
        if y.dtype == "int8" and (np.float64(value.scale) != np.float64(y.scale) or value.zero_point != y.zero_point):
            raise TinygenError(f"{where}: the padding value is quantized unlike the output, which TFLite Micro "
                               "rejects", "convert with the TFLite converter")
        pad_value = int(value.data.reshape(-1)[0])
    else:
        pad_value = y.zero_point if y.dtype == "int8" else 0.0 if y.dtype == "float32" else 0
    dims, pads4 = collapse(list(x.shape), pads)
    if len(dims) > 4:
        raise TinygenError(f"{where} pads {len(dims)} separate dimensions of {list(x.shape)}; tinygen pads up to 4",
                           "pad at most 4 dimensions")
    dims = [1] * (4 - len(dims)) + dims
    pads4 = [(0, 0)] * (4 - len(pads4)) + pads4
    params = PadParams(tuple(dims), tuple(lo for lo, _ in pads4), tuple(hi for _, hi in pads4), pad_value)
    return Layer(op, "pad/pad.c.j2", f"tg_pad_{TYPE_SUFFIX[y.dtype]}", (op.inputs[0],), (op.outputs[0],), params,
                 summary=f"{op.kind} {list(x.shape)} by {pads} -> {list(y.shape)}, value {pad_value}")


def example(m, rng) -> bytes:
    """PAD of H and W (zero point fill), then PADV2 of the channels with a constant value."""
    x = m.tensor([1, 3, 3, 2], scale=0.05, zero_point=6)
    pads = m.tensor([4, 2], "int32", data=np.array([[0, 0], [1, 2], [2, 0], [0, 0]], np.int32))
    h = m.tensor([1, 6, 5, 2], scale=0.05, zero_point=6)
    m.op("PAD", [x, pads], [h])
    pads2 = m.tensor([4, 2], "int32", data=np.array([[0, 0], [0, 0], [0, 0], [1, 1]], np.int32))
    value = m.tensor([1], scale=0.05, zero_point=6, data=np.array([-77], np.int8))
    y = m.tensor([1, 6, 5, 4], scale=0.05, zero_point=6)
    m.op("PADV2", [h, pads2, value], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("PAD", "PADV2"), arity={"PAD": Arity(2), "PADV2": Arity(2, 1)},
           options={"PAD": "PadOptions", "PADV2": "PadV2Options"}, lower=lower, types=("int8", "int16", "float32"),
           backends={"cmsis-nn": cmsis_nn.retarget}, example=example, header="tg_pad.h")
