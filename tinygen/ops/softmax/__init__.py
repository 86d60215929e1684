"""SOFTMAX (int8 → int8) over the last axis → tg_softmax_s8.

TFLM's reference int8 softmax (micro/kernels/softmax_common.cc): PreprocessSoftmaxScaling(beta, input scale,
5 integer bits) gives the multiplier, left shift and diff_min; the output is fixed at zero point -128, scale
1/256.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import cmsis_nn
from ..common import Arity, Layer, LowerContext, OpDef, require_int8, require_per_tensor
from ...errors import TinygenError
from ...quant import softmax_params


@dataclass(frozen=True)
class SoftmaxParams:
    rows: int
    row: int
    mult: int
    shift: int
    diff_min: int


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if x.dtype == "int8" and y.dtype == "int16":
        raise TinygenError(f"SOFTMAX (operator {op.index}) has an int16 output",
                           "convert with int8 activations throughout (no 16x8 quantization)")
    require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x)
    if y.zero_point != -128 or np.float32(y.scale) != np.float32(1.0 / 256) or y.quant.per_channel:
        raise TinygenError(f"SOFTMAX (operator {op.index}) output has scale {y.scale:g}, zero point {y.zero_point}; "
                           "TFLite Micro requires 1/256 and -128", "convert with the TFLite converter's defaults")
    if len(x.shape) < 1 or tuple(x.shape) != tuple(y.shape) or x.size == 0:
        raise TinygenError(f"SOFTMAX (operator {op.index}) maps {list(x.shape)} to {list(y.shape)}",
                           "the model file is inconsistent; re-export it")
    beta = float(op.options.get("beta", 1.0))
    mult, shift, diff_min = softmax_params(beta, x.scale)
    row = int(x.shape[-1])
    rows = x.size // row
    return Layer(op, "softmax/softmax.c.j2", "tg_softmax_s8", (op.inputs[0],), (op.outputs[0],),
                 SoftmaxParams(rows, row, mult, shift, diff_min), summary=f"SOFTMAX {rows}x{row} beta={beta:g}")


def example(m, rng) -> bytes:
    """Softmax over rows of 5, beta 0.7."""
    x = m.tensor([1, 3, 5], scale=0.1, zero_point=12)
    y = m.tensor([1, 3, 5], scale=1 / 256, zero_point=-128)
    m.op("SOFTMAX", [x], [y], beta=0.7)
    return m.finish([x], [y])


OP = OpDef(kinds=("SOFTMAX",), arity={"SOFTMAX": Arity(1)}, options={"SOFTMAX": "SoftmaxOptions"}, lower=lower,
           same_shape=True, backends={"cmsis-nn": cmsis_nn.retarget}, example=example, header="tg_softmax.h")
