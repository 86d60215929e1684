"""RELU / RELU6 (int8) left standalone by the fuse_activation pass → tg_relu_s8 / tg_relu6_s8.

TFLite Micro treats them differently: RELU rescales (multiplier from float32 in_scale / out_scale) and clamps
below at the output zero point; RELU6 only clamps, in the input's quantization, to [zero point, q(6.0)] and
does not read the output's parameters at all.
"""
from __future__ import annotations

import numpy as np

from ..quant import INT8_MAX, INT8_MIN, quantize_multiplier, quantize_value
from . import Layer, LowerContext, elementwise_inplace, require_int8, require_per_tensor


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    if op.kind == "RELU6":
        six = min(INT8_MAX, max(INT8_MIN, quantize_value(6.0, x.scale, x.zero_point)))
        return Layer(op, "relu", [op.inputs[0]], [op.outputs[0]],
                     dict(kernel="tg_relu6_s8", relu6=True, size=x.size, lower=x.zero_point, upper=six),
                     summary=f"RELU6 {list(x.shape)}: clamp to [{x.zero_point}, {six}]",
                     inplace=elementwise_inplace(("tg_relu6_s8",), True))
    # CalculateReluOpData divides the scales in float32 before widening to double.
    mult, shift = quantize_multiplier(float(np.float32(x.scale) / np.float32(y.scale)))
    act_min = max(INT8_MIN, y.zero_point)
    return Layer(op, "relu", [op.inputs[0]], [op.outputs[0]],
                 dict(kernel="tg_relu_s8", relu6=False, size=x.size, input_zero_point=x.zero_point, mult=mult, shift=shift,
                      output_zero_point=y.zero_point, act_min=act_min, act_max=INT8_MAX),
                 summary=f"RELU {list(x.shape)}: scale {x.scale:g} -> {y.scale:g}",
                 inplace=elementwise_inplace(("tg_relu_s8",), True))
