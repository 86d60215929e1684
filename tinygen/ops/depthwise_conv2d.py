"""DEPTHWISE_CONV_2D (int8, weights per channel or per tensor) → tg_depthwise_conv_s8.

Semantics of TFLM's reference integer_ops::DepthwiseConvPerChannel: output channel ic * mult + m reads input
channel ic; the filter is [1, kh, kw, out_c], per-channel scales along axis 3.
"""
from __future__ import annotations

from ..errors import TinygenError
from ..inplace import raster_safe
from . import InPlace, Layer, LowerContext, require_int8, require_per_tensor
from .conv2d import quantization, window, window_summary


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, w, y = require_int8(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    require_per_tensor(op, x, y)
    if len(w.shape) != 4 or int(w.shape[0]) != 1:
        raise TinygenError(f"DEPTHWISE_CONV_2D (operator {op.index}) has filter shape {list(w.shape)}",
                           "the filter must be [1, kh, kw, out_c]")
    _, kh, kw, out_c = (int(d) for d in w.shape)
    geo = window(op, x, y, kh, kw, out_c)
    in_c = int(x.shape[3])
    mult = int(op.options.get("depth_multiplier", 1))
    # TFLM loops over the option's multiplier: it must agree with the shapes or the reference reads garbage.
    if mult < 1 or in_c * mult != out_c:
        raise TinygenError(f"DEPTHWISE_CONV_2D (operator {op.index}) has depth multiplier {mult} for {in_c} input "
                           f"and {out_c} output channels", "the model file is inconsistent; re-export it")
    params, consts = quantization(graph, op, x, w, y, out_c, 3, ctx)
    params.update(geo, in_c=in_c, out_c=out_c, ch_mult=mult, kernel="tg_depthwise_conv_s8")
    consts.insert(0, ctx.const(op, "weights", "int8_t", w.data))
    macs = geo["n"] * geo["out_h"] * geo["out_w"] * out_c * kh * kw
    summary = window_summary(op, geo, in_c, out_c) + (f", multiplier {mult}" if mult > 1 else "")
    return Layer(op, "depthwise_conv2d", [op.inputs[0]], [op.outputs[0]], params, consts, scratch_bytes=0,
                 macs=macs, summary=summary, inplace=_inplace(geo, in_c, mult))


def _inplace(geo: dict, channels: int, mult: int) -> list[InPlace]:
    """With multiplier 1 the output has the input's channels and may overwrite it: as is where the kernel's
    raster order never overwrites input still to be read (most strided windows), else channel by channel
    through a copy of one input plane and that channel's taps (worth it from two channels on)."""
    if mult != 1:
        return []
    if raster_safe(geo):
        return [InPlace(0, ("tg_depthwise_conv_s8",))]
    if channels < 2:
        return []
    return [InPlace(0, ("tg_depthwise_conv_s8",), kernel="tg_depthwise_conv_inplace_s8",
                    scratch_bytes=geo["in_h"] * geo["in_w"] + geo["k_h"] * geo["k_w"], slower=True)]
