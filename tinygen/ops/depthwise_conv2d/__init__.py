"""DEPTHWISE_CONV_2D (int8, weights per channel or per tensor) → tg_depthwise_conv_s8, with int4 weights
(ops/int4.py) tg_depthwise_conv_s4; 16x8 (int16 activations, int8 weights, int64 bias) → tg_depthwise_conv_s16.

Semantics of TFLM's reference integer_ops::DepthwiseConvPerChannel: output channel ic * mult + m reads input
channel ic; the filter is [1, kh, kw, out_c], per-channel scales along axis 3.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import cmsis_nn, specialized
from ..common import (Arity, FloatActivation, InPlace, Layer, LowerContext, OpDef, float_activation, float_weights,
                      raster_safe, require_float)
from ..conv2d import ConvQuant, add_conv, quantization, require_activations
from ..window import Window, window
from ...errors import TinygenError


@dataclass(frozen=True)
class DepthwiseParams:
    win: Window
    in_c: int
    out_c: int
    ch_mult: int
    quant: ConvQuant


@dataclass(frozen=True)
class FloatDepthwiseParams:
    win: Window
    in_c: int
    out_c: int
    mult: int
    act: FloatActivation


def geometry(op, x, w, y) -> tuple[Window, int, int, int]:
    """(window, input channels, output channels, depth multiplier) of a DEPTHWISE_CONV_2D, checked."""
    if len(w.shape) != 4 or int(w.shape[0]) != 1:
        raise TinygenError(f"DEPTHWISE_CONV_2D (operator {op.index}) has filter shape {list(w.shape)}",
                           "the filter must be [1, kh, kw, out_c]")
    _, kh, kw, out_c = (int(d) for d in w.shape)
    win = window(op, x, y, kh, kw, out_c)
    in_c = int(x.shape[3])
    mult = int(op.options.get("depth_multiplier", 1))
    # TFLM loops over the option's multiplier: it must agree with the shapes or the reference reads garbage.
    if mult < 1 or in_c * mult != out_c:
        raise TinygenError(f"DEPTHWISE_CONV_2D (operator {op.index}) has depth multiplier {mult} for {in_c} input "
                           f"and {out_c} output channels", "the model file is inconsistent; re-export it")
    return win, in_c, out_c, mult


def lower_float(graph, op) -> Layer:
    """float32 → tg_depthwise_conv_f32 (TFLM's reference DepthwiseConv<float>)."""
    x, w, y = require_float(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    win, in_c, out_c, mult = geometry(op, x, w, y)
    return Layer(op, "depthwise_conv2d/depthwise_conv2d_f32.c.j2", "tg_depthwise_conv_f32", (op.inputs[0],),
                 (op.outputs[0],), FloatDepthwiseParams(win, in_c, out_c, mult, float_activation(op)),
                 float_weights(graph, op, w, out_c), macs=win.n * win.out_h * win.out_w * out_c * win.k_h * win.k_w,
                 summary=win.summary(op, in_c, out_c) + " (float32)")


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float(graph, op)
    x, w, y = require_activations(graph, op)
    win, in_c, out_c, mult = geometry(op, x, w, y)
    kh, kw = win.k_h, win.k_w
    quant, consts = quantization(graph, op, x, w, y, out_c, 3)
    macs = win.n * win.out_h * win.out_w * out_c * kh * kw
    summary = win.summary(op, in_c, out_c) + (f", multiplier {mult}" if mult > 1 else "")
    if x.dtype == "int16":
        return Layer(op, "depthwise_conv2d/depthwise_conv2d.c.j2", "tg_depthwise_conv_s16", (op.inputs[0],),
                     (op.outputs[0],), DepthwiseParams(win, in_c, out_c, mult, quant), consts, macs=macs,
                     summary=summary + " (16x8)")
    if w.dtype == "int4":
        return Layer(op, "depthwise_conv2d/depthwise_conv2d.c.j2", "tg_depthwise_conv_s4", (op.inputs[0],),
                     (op.outputs[0],), DepthwiseParams(win, in_c, out_c, mult, quant), consts,
                     scratch_bytes=kh * kw * out_c, macs=macs, summary=summary + " (int4 weights)")
    return Layer(op, "depthwise_conv2d/depthwise_conv2d.c.j2", "tg_depthwise_conv_s8", (op.inputs[0],),
                 (op.outputs[0],), DepthwiseParams(win, in_c, out_c, mult, quant), consts, macs=macs,
                 summary=summary, inplace=_inplace(win, in_c, mult))


def _inplace(win: Window, channels: int, mult: int) -> tuple[InPlace, ...]:
    """With multiplier 1 the output has the input's channels and may overwrite it: as is where the kernel's
    raster order never overwrites input still to be read (most strided windows), else channel by channel
    through a copy of one input plane and that channel's taps (worth it from two channels on)."""
    if mult != 1:
        return ()
    if raster_safe(win):
        return (InPlace(0, ("tg_depthwise_conv_s8",)),)
    if channels < 2:
        return ()
    return (InPlace(0, ("tg_depthwise_conv_s8",), kernel="tg_depthwise_conv_inplace_s8",
                    scratch_bytes=win.in_h * win.in_w + win.k_h * win.k_w, slower=True),)


def example(m, rng) -> bytes:
    """3x3 SAME stride 1 (in place through a channel plane) → 3x3 stride 2 → multiplier 2, 2x2 VALID."""
    x = m.tensor([1, 6, 6, 3], scale=0.03, zero_point=2)
    h1 = add_conv(m, rng, "DEPTHWISE_CONV_2D", x, [1, 3, 3, 3], [1, 6, 6, 3], 3, depth_multiplier=1)
    h2 = add_conv(m, rng, "DEPTHWISE_CONV_2D", h1, [1, 3, 3, 3], [1, 3, 3, 3], 3, depth_multiplier=1,
                  stride_w=2, stride_h=2, fused_activation_function=1)
    y = add_conv(m, rng, "DEPTHWISE_CONV_2D", h2, [1, 2, 2, 6], [1, 2, 2, 6], 3, depth_multiplier=2, padding=1)
    return m.finish([x], [y])


OP = OpDef(kinds=("DEPTHWISE_CONV_2D",), arity={"DEPTHWISE_CONV_2D": Arity(2, 1)},
           options={"DEPTHWISE_CONV_2D": "DepthwiseConv2DOptions"}, lower=lower, weights_axis=3,
           fuses_activation=True, backends={"cmsis-nn": cmsis_nn.retarget, "specialized": specialized.retarget},
           types=("int8", "int16", "float32"), example=example, header="tg_depthwise_conv2d.h")
