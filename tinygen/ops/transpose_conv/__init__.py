"""TRANSPOSE_CONV (int8 or 16x8, weights per channel or per tensor) → tg_transpose_conv_s8 / _s16.

Semantics of TFLM's reference integer_ops::TransposeConv, parameters as micro/kernels/transpose_conv.cc prepares
them: the padding is that of a convolution from the output's size back to the input's (ComputePaddingHeightWidth
with the output's height and width, dilation 1), the quantization that of CONV_2D (per-channel multipliers, the
fused activation's range). Inputs: the output shape (TFLM reads the output tensor's shape instead, and so does
tinygen), the OHWI filter, the input, an optional int32 bias.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef
from ..conv2d import ConvQuant, add_conv, quantization, require_activations
from ..window import Window
from ...errors import TinygenError
from ...quant import padding_and_output

WEIGHTS, INPUT, BIAS = 1, 2, 3


@dataclass(frozen=True)
class TransposeConvParams:
    win: Window  # in_* the input, out_* the output; pad_* as TFLM computes them
    in_c: int
    out_c: int
    quant: ConvQuant


def window(op, x, y, kh: int, kw: int) -> Window:
    o = op.options
    where = f"TRANSPOSE_CONV (operator {op.index})"
    sh, sw, padding = int(o.get("stride_h", 1)), int(o.get("stride_w", 1)), int(o.get("padding", 0))
    if min(sh, sw) < 1 or padding not in (0, 1):
        raise TinygenError(f"{where} has stride {sh}x{sw} and padding {padding}",
                           "strides must be at least 1 and the padding SAME or VALID; re-export the model")
    if len(x.shape) != 4 or len(y.shape) != 4 or int(x.shape[0]) != int(y.shape[0]):
        raise TinygenError(f"{where} maps {list(x.shape)} to {list(y.shape)}",
                           "transpose convolutions take and give NHWC tensors of one batch size")
    n, ih, iw, _ = (int(d) for d in x.shape)
    _, oh, ow, _ = (int(d) for d in y.shape)
    _, ph = padding_and_output(padding, oh, kh, sh, 1)
    _, pw = padding_and_output(padding, ow, kw, sw, 1)
    return Window(n, ih, iw, oh, ow, kh, kw, sh, sw, 1, 1, ph, pw)


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, w, y = require_activations(graph, op, INPUT, WEIGHTS)
    where = f"TRANSPOSE_CONV (operator {op.index})"
    if w.dtype != "int8":
        raise TinygenError(f"{where} has {w.dtype} weights; TFLite Micro's TRANSPOSE_CONV takes int8 ones",
                           "quantize the weights to int8")
    if len(w.shape) != 4:
        raise TinygenError(f"{where} has a rank-{len(w.shape)} filter", "the filter must be [out_c, kh, kw, in_c]")
    out_c, kh, kw, in_c = (int(d) for d in w.shape)
    if len(x.shape) == 4 and (int(x.shape[3]), int(y.shape[3])) != (in_c, out_c):
        raise TinygenError(f"{where} has a filter {list(w.shape)} for {list(x.shape)} -> {list(y.shape)}",
                           "the model file is inconsistent; re-export it")
    win = window(op, x, y, kh, kw)
    quant, consts = quantization(graph, op, x, w, y, out_c, 0, BIAS)
    macs = win.n * win.in_h * win.in_w * kh * kw * in_c * out_c  # the reference's scatter, clipped taps included
    summary = (f"TRANSPOSE_CONV {win.in_h}x{win.in_w}x{in_c} -> {win.out_h}x{win.out_w}x{out_c}, "
               f"{kh}x{kw}/{win.stride_h}x{win.stride_w}")
    if x.dtype == "int16":
        summary += " (16x8)"
    return Layer(op, "transpose_conv/transpose_conv.c.j2", "tg_transpose_conv_" + TYPE_SUFFIX[x.dtype],
                 (op.inputs[INPUT],), (op.outputs[0],), TransposeConvParams(win, in_c, out_c, quant), consts,
                 macs=macs, summary=summary)


def example(m, rng) -> bytes:
    """A 2x upsampling (3x3 stride 2 SAME, ReLU), then a 2x2 stride 2 VALID one without bias."""
    x = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=-3)
    shape = m.tensor([4], "int32", data=np.array([1, 6, 8, 4], np.int32))
    h = add_conv(m, rng, "TRANSPOSE_CONV", x, [4, 3, 3, 5], [1, 6, 8, 4], 0, shape_input=shape, padding=0,
                 stride_w=2, stride_h=2, fused_activation_function=1)
    shape2 = m.tensor([4], "int32", data=np.array([1, 12, 16, 3], np.int32))
    y = add_conv(m, rng, "TRANSPOSE_CONV", h, [3, 2, 2, 4], [1, 12, 16, 3], 0, shape_input=shape2, bias=False,
                 padding=1, stride_w=2, stride_h=2)
    return m.finish([x], [y])


OP = OpDef(kinds=("TRANSPOSE_CONV",), arity={"TRANSPOSE_CONV": Arity(3, 1)},
           options={"TRANSPOSE_CONV": "TransposeConvOptions"}, lower=lower, weights_axis=0, bias_input=BIAS,
           data_input=INPUT, unread_inputs=(0,), fuses_activation=True, types=("int8", "int16"), example=example,
           header="tg_transpose_conv.h")
