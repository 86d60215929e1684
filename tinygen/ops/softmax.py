"""SOFTMAX (int8 → int8) over the last axis → tg_softmax_s8.

TFLM's reference int8 softmax (micro/kernels/softmax_common.cc): PreprocessSoftmaxScaling(beta, input scale,
5 integer bits) gives the multiplier, left shift and diff_min; the output is fixed at zero point -128, scale
1/256.
"""
from __future__ import annotations

import numpy as np

from ..errors import TinygenError
from ..quant import softmax_params
from . import Layer, LowerContext, require_int8, require_per_tensor


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
    return Layer(op, "softmax", [op.inputs[0]], [op.outputs[0]],
                 dict(rows=rows, row=row, mult=mult, shift=shift, diff_min=diff_min, kernel="tg_softmax_s8"),
                 summary=f"SOFTMAX {rows}x{row} beta={beta:g}")
