"""AVERAGE_POOL_2D / MAX_POOL_2D (int8, int16) → tg_avgpool_s8 / tg_max_pool_s8 (_s16).

TFLM's reference integer_ops::AveragePool / MaxPool as micro/kernels/pooling_common.cc prepares them: no
rescaling (input and output quantization must agree), window clipped to the input, fused activation clamp.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import cmsis_nn
from ..common import (TYPE_SUFFIX, Activation, Arity, FloatActivation, InPlace, Layer, LowerContext, OpDef,
                      float_activation, raster_safe, require_float, require_per_tensor, require_quantized,
                      require_same_type)
from ..window import Window, window
from ...errors import TinygenError
from ...quant import TYPE_RANGE, activation_range

KERNELS = {"AVERAGE_POOL_2D": "tg_avgpool_", "MAX_POOL_2D": "tg_max_pool_", "L2_POOL_2D": "tg_l2_pool_"}  # + type
INT16_MAX_TAPS = 1 << 16  # an int16 average's int32 sum holds this many taps


@dataclass(frozen=True)
class PoolParams:
    win: Window
    depth: int
    act: Activation


def pool_window(op, x, y) -> Window:
    """The pooling window, checked: at least 1x1, and overlapping the input everywhere (TFLM fails the operator on
    an empty window)."""
    kh, kw = int(op.options.get("filter_height", 1)), int(op.options.get("filter_width", 1))
    if kh < 1 or kw < 1:
        raise TinygenError(f"{op.kind} (operator {op.index}) has a {kh}x{kw} window", "re-export the model")
    win = window(op, x, y, kh, kw, int(x.shape[-1]) if x.shape else 0)  # window() refuses what is not rank 4
    # Every window must overlap the input: TFLM fails the operator on an empty window (count 0).
    for size, k, stride, pad, out in ((win.in_h, kh, win.stride_h, win.pad_h, win.out_h),
                                      (win.in_w, kw, win.stride_w, win.pad_w, win.out_w)):
        if k - pad <= 0 or (out - 1) * stride - pad >= size:
            raise TinygenError(f"{op.kind} (operator {op.index}) has a window that lies entirely in the padding",
                               "use VALID padding or a larger window")
    return win


def summary(op, win: Window, depth: int, note: str = "") -> str:
    name = {"AVERAGE_POOL_2D": "AVG_POOL", "MAX_POOL_2D": "MAX_POOL"}.get(op.kind, "L2_POOL")
    return (f"{name} {win.k_h}x{win.k_w}/{win.stride_h}x{win.stride_w} "
            f"{'SAME' if op.options.get('padding', 0) == 0 else 'VALID'} "
            f"{win.in_h}x{win.in_w}x{depth} -> {win.out_h}x{win.out_w}x{depth}{note}")


@dataclass(frozen=True)
class FloatPoolParams:
    win: Window
    depth: int
    act: FloatActivation


def lower_float(graph, op) -> Layer:
    """float32 → tg_avgpool_f32 / tg_max_pool_f32 / tg_l2_pool_f32 (TFLM's reference AveragePool<float> /
    MaxPool<float> / L2Pool)."""
    x, y = require_float(graph, op, op.inputs[0], op.outputs[0])
    win = pool_window(op, x, y)
    depth = int(x.shape[3])
    kernel = KERNELS[op.kind] + "f32"
    return Layer(op, "pool2d/pool2d_f32.c.j2", kernel, (op.inputs[0],), (op.outputs[0],),
                 FloatPoolParams(win, depth, float_activation(op)),
                 inplace=(InPlace(0, (kernel,)),) if raster_safe(win) else (),
                 summary=summary(op, win, depth, " (float32)"))


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float(graph, op)
    x, y = require_quantized(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    require_same_type(op, x, y)
    # PoolingPrepare's own test: |Δscale| computed in float32, within 1e-6, and equal zero points.
    if float(abs(np.float32(x.scale) - np.float32(y.scale))) > 1e-6 or x.zero_point != y.zero_point:
        raise TinygenError(f"{op.kind} (operator {op.index}) changes quantization (scale {x.scale:g} → {y.scale:g}, "
                           f"zero point {x.zero_point} → {y.zero_point}); TFLite Micro refuses this",
                           "give the pooling output the quantization of its input (the converter's default)")
    win = pool_window(op, x, y)
    kh, kw = win.k_h, win.k_w
    if x.dtype == "int16" and op.kind == "AVERAGE_POOL_2D" and kh * kw > INT16_MAX_TAPS:
        raise TinygenError(f"{op.kind} (operator {op.index}) averages {kh}x{kw} int16 values; their int32 sum "
                           "could overflow (in TFLite Micro too)", f"use windows of at most {INT16_MAX_TAPS} taps")
    act = Activation(*activation_range(op.options.get("fused_activation_function", 0), y.scale, y.zero_point,
                                       *TYPE_RANGE[y.dtype]))
    depth = int(x.shape[3])
    kernel = KERNELS[op.kind] + TYPE_SUFFIX[x.dtype]
    outputs = win.n * win.out_h * win.out_w * depth
    # Per channel, the kernel reads a window before it writes the output: in place where raster order allows.
    inplace = (InPlace(0, (kernel,)),) if raster_safe(win) else ()
    return Layer(op, "pool2d/pool2d.c.j2", kernel, (op.inputs[0],), (op.outputs[0],), PoolParams(win, depth, act),
                 inplace=inplace, macs=outputs * kh * kw if op.kind == "AVERAGE_POOL_2D" else 0,
                 summary=summary(op, win, depth))


def example(m, rng) -> bytes:
    """AVERAGE_POOL 3x3/2 SAME (ReLU) then MAX_POOL 2x2/1 VALID."""
    x = m.tensor([1, 7, 7, 3], scale=0.05, zero_point=-4)
    h = m.tensor([1, 4, 4, 3], scale=0.05, zero_point=-4)
    m.op("AVERAGE_POOL_2D", [x], [h], padding=0, stride_w=2, stride_h=2, filter_width=3, filter_height=3,
         fused_activation_function=1)
    y = m.tensor([1, 3, 3, 3], scale=0.05, zero_point=-4)
    m.op("MAX_POOL_2D", [h], [y], padding=1, stride_w=1, stride_h=1, filter_width=2, filter_height=2)
    return m.finish([x], [y])


OP = OpDef(kinds=("AVERAGE_POOL_2D", "MAX_POOL_2D"),
           arity={"AVERAGE_POOL_2D": Arity(1), "MAX_POOL_2D": Arity(1)},
           options={"AVERAGE_POOL_2D": "Pool2DOptions", "MAX_POOL_2D": "Pool2DOptions"}, lower=lower,
           fuses_activation=True, backends={"cmsis-nn": cmsis_nn.retarget}, types=("int8", "int16", "float32"),
           example=example, header="tg_pool2d.h")
