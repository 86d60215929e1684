"""AVERAGE_POOL_2D (int8) → tg_avgpool_s8. The pooling lowering, shared with MAX_POOL_2D.

TFLM's reference integer_ops::AveragePool / MaxPool as micro/kernels/pooling_common.cc prepares them: no
rescaling (input and output quantization must agree), window clipped to the input, fused activation clamp.
"""
from __future__ import annotations

import numpy as np

from ..errors import TinygenError
from ..quant import activation_range
from ..inplace import raster_safe
from . import InPlace, Layer, LowerContext, require_int8, require_per_tensor
from .conv2d import window

KERNELS = {"AVERAGE_POOL_2D": "tg_avgpool_s8", "MAX_POOL_2D": "tg_max_pool_s8"}


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    # PoolingPrepare's own test: |Δscale| computed in float32, within 1e-6, and equal zero points.
    if float(abs(np.float32(x.scale) - np.float32(y.scale))) > 1e-6 or x.zero_point != y.zero_point:
        raise TinygenError(f"{op.kind} (operator {op.index}) changes quantization (scale {x.scale:g} → {y.scale:g}, "
                           f"zero point {x.zero_point} → {y.zero_point}); TFLite Micro refuses this",
                           "give the pooling output the quantization of its input (the converter's default)")
    kh, kw = int(op.options.get("filter_height", 1)), int(op.options.get("filter_width", 1))
    if kh < 1 or kw < 1:
        raise TinygenError(f"{op.kind} (operator {op.index}) has a {kh}x{kw} window", "re-export the model")
    geo = window(op, x, y, kh, kw, int(x.shape[-1]))
    # Every window must overlap the input: TFLM fails the operator on an empty window (count 0).
    for size, k, stride, pad, out in ((geo["in_h"], kh, geo["stride_h"], geo["pad_h"], geo["out_h"]),
                                      (geo["in_w"], kw, geo["stride_w"], geo["pad_w"], geo["out_w"])):
        if k - pad <= 0 or (out - 1) * stride - pad >= size:
            raise TinygenError(f"{op.kind} (operator {op.index}) has a window that lies entirely in the padding",
                               "use VALID padding or a larger window")
    act_min, act_max = activation_range(op.options.get("fused_activation_function", 0), y.scale, y.zero_point)
    depth = int(x.shape[3])
    params = dict(geo, depth=depth, act_min=act_min, act_max=act_max, kernel=KERNELS[op.kind])
    outputs = geo["n"] * geo["out_h"] * geo["out_w"] * depth
    name = "AVG_POOL" if op.kind == "AVERAGE_POOL_2D" else "MAX_POOL"
    # Per channel, the kernel reads a window before it writes the output: in place where raster order allows.
    inplace = [InPlace(0, (params["kernel"],))] if raster_safe(geo) else []
    return Layer(op, "pool2d", [op.inputs[0]], [op.outputs[0]], params, inplace=inplace,
                 macs=outputs * kh * kw if op.kind == "AVERAGE_POOL_2D" else 0,
                 summary=f"{name} {kh}x{kw}/{geo['stride_h']}x{geo['stride_w']} "
                         f"{'SAME' if op.options.get('padding', 0) == 0 else 'VALID'} "
                         f"{geo['in_h']}x{geo['in_w']}x{depth} -> {geo['out_h']}x{geo['out_w']}x{depth}")

