"""CONV_2D (int8, weights per channel or per tensor) → tg_convolve_s8.

Semantics of TFLM's reference integer_ops::ConvPerChannel, parameters as micro/kernels/conv_common.cc prepares
them. Grouped convolution (input channels a multiple of the filter's) is computed as the reference kernel does.
The window and quantization checks here are shared with DEPTHWISE_CONV_2D.
"""
from __future__ import annotations

import numpy as np

from ..errors import TinygenError
from ..quant import activation_range, padding_and_output, per_channel_multipliers
from . import InPlace, Layer, LowerContext, require_int8, require_per_tensor


def window(op, x, y, kh: int, kw: int, out_c: int) -> dict:
    """Stride, dilation, padding of a convolution window; checks the model's output shape against them."""
    o = op.options
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    dh, dw = int(o.get("dilation_h_factor", 1)), int(o.get("dilation_w_factor", 1))
    if min(sh, sw, dh, dw) < 1:
        raise TinygenError(f"{op.kind} (operator {op.index}) has stride {sh}x{sw}, dilation {dh}x{dw}",
                           "strides and dilations must be at least 1; re-export the model")
    padding = int(o.get("padding", 0))
    if padding not in (0, 1):
        raise TinygenError(f"{op.kind} (operator {op.index}) has unknown padding {padding}",
                           "use SAME or VALID padding")
    if len(x.shape) != 4 or len(y.shape) != 4:
        raise TinygenError(f"{op.kind} (operator {op.index}) maps a rank-{len(x.shape)} input to a rank-"
                           f"{len(y.shape)} output", "convolutions take and give NHWC tensors of rank 4")
    n, ih, iw, _ = (int(d) for d in x.shape)
    oh, ph = padding_and_output(padding, ih, kh, sh, dh)
    ow, pw = padding_and_output(padding, iw, kw, sw, dw)
    if oh < 1 or ow < 1:
        raise TinygenError(f"{op.kind} (operator {op.index}): the {kh}x{kw} window (dilation {dh}x{dw}) does not "
                           f"fit the {ih}x{iw} input", "use SAME padding or a smaller kernel")
    if tuple(int(d) for d in y.shape) != (n, oh, ow, out_c):
        raise TinygenError(f"{op.kind} (operator {op.index}) declares output {list(y.shape)} but computes "
                           f"{[n, oh, ow, out_c]}", "the model file is inconsistent; re-export it")
    return dict(n=n, in_h=ih, in_w=iw, out_h=oh, out_w=ow, k_h=kh, k_w=kw, stride_h=sh, stride_w=sw,
                dil_h=dh, dil_w=dw, pad_h=ph, pad_w=pw)


def window_summary(op, geo: dict, in_c: int, out_c: int) -> str:
    """'KIND HxWxC -> HxWxC, KHxKW/SHxSW[ dilation DHxDW]' of a convolution."""
    return (f"{op.kind} {geo['in_h']}x{geo['in_w']}x{in_c} -> {geo['out_h']}x{geo['out_w']}x{out_c}, "
            f"{geo['k_h']}x{geo['k_w']}/{geo['stride_h']}x{geo['stride_w']}"
            + (f" dilation {geo['dil_h']}x{geo['dil_w']}" if geo["dil_h"] * geo["dil_w"] > 1 else ""))


def quantization(graph, op, x, w, y, channels: int, axis: int, ctx: LowerContext) -> tuple[dict, list]:
    """Offsets, activation range, and the per-channel multiplier/shift and bias constants of a convolution.

    TFLM's int8 convolutions always run per channel: per-tensor weights get their one multiplier repeated.
    """
    if not w.is_const:
        raise TinygenError(f"{op.kind} (operator {op.index}) has non-constant weights",
                           "tinygen compiles models whose weights are constants")
    q = w.quant
    if np.any(q.zero_point != 0):
        # TFLM's per-channel kernels ignore the filter zero point; honouring it would differ from the oracle.
        raise TinygenError(f"{op.kind} (operator {op.index}) has non-zero weight zero points",
                           "quantize weights symmetrically (TFLite's int8 default)")
    if len(q.scale) not in (1, channels) or (q.per_channel and q.axis != axis):
        raise TinygenError(f"{op.kind} (operator {op.index}) has {len(q.scale)} weight scales along axis {q.axis} "
                           f"for {channels} output channels", f"quantize weights per tensor or along axis {axis}")
    bias = np.zeros(channels, np.int32)
    if len(op.inputs) > 2 and op.inputs[2] >= 0:
        b = graph.tensors[op.inputs[2]]
        if b.dtype != "int32" or not b.is_const or b.size != channels:
            raise TinygenError(f"{op.kind} (operator {op.index}) bias must be {channels} constant int32 values "
                               f"(it is {b.size} {b.dtype})", "convert with full-integer int8 quantization")
        bias = b.data.astype(np.int32).reshape(-1)
    act_min, act_max = activation_range(op.options.get("fused_activation_function", 0), y.scale, y.zero_point)
    mult, shift = per_channel_multipliers(x.scale, q.scale, y.scale, channels)
    params = dict(input_offset=-x.zero_point, output_offset=y.zero_point, act_min=act_min, act_max=act_max)
    consts = [ctx.const(op, "bias", "int32_t", bias), ctx.const(op, "mult", "int32_t", mult),
              ctx.const(op, "shift", "int32_t", shift)]
    return params, consts


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, w, y = require_int8(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    require_per_tensor(op, x, y)
    if len(w.shape) != 4:
        raise TinygenError(f"CONV_2D (operator {op.index}) has a rank-{len(w.shape)} filter",
                           "the filter must be [out_c, kh, kw, in_c]")
    out_c, kh, kw, filter_c = (int(d) for d in w.shape)
    geo = window(op, x, y, kh, kw, out_c)
    in_c = int(x.shape[3])
    if filter_c < 1 or in_c % filter_c or out_c % (in_c // filter_c):
        raise TinygenError(f"CONV_2D (operator {op.index}) has {in_c} input channels, a filter over {filter_c} "
                           f"and {out_c} outputs, which do not split into equal groups",
                           "the model file is inconsistent; re-export it")
    params, consts = quantization(graph, op, x, w, y, out_c, 0, ctx)
    params.update(geo, in_c=in_c, out_c=out_c, filter_c=filter_c, kernel="tg_convolve_s8")
    consts.insert(0, ctx.const(op, "weights", "int8_t", w.data))  # OHWI, as the kernel reads it
    groups = in_c // filter_c
    macs = geo["n"] * geo["out_h"] * geo["out_w"] * out_c * kh * kw * filter_c
    summary = window_summary(op, geo, in_c, out_c) + (f", {groups} groups" if groups > 1 else "")
    return Layer(op, "conv2d", [op.inputs[0]], [op.outputs[0]], params, consts, scratch_bytes=0, macs=macs,
                 summary=summary, inplace=_inplace(op, params, consts, w, ctx))


def _inplace(op, p: dict, consts: list, w, ctx: LowerContext) -> list[InPlace]:
    """A pointwise convolution (1x1, stride 1, no padding, one group) may overwrite its input pixel by pixel
    through one output pixel of scratch (tg_convolve_1x1_inplace_s8), reading the bias folded with the input
    offset's filter sums from flash. Not worth it when one pixel is the whole tensor."""
    pixels = p["n"] * p["in_h"] * p["in_w"]
    if (p["k_h"], p["k_w"], p["stride_h"], p["stride_w"], p["pad_h"], p["pad_w"]) != (1, 1, 1, 1, 0, 0) or \
            p["filter_c"] != p["in_c"] or pixels < 2:
        return []
    bias = next(c.values for c in consts if c.name.endswith("_bias")).astype(np.int64)
    sums = bias + p["input_offset"] * w.data.reshape(p["out_c"], -1).astype(np.int64).sum(axis=1)
    if np.any(sums < -2**31) or np.any(sums >= 2**31):
        return []  # the portable kernel's int32 arithmetic would differ
    return [InPlace(0, ("tg_convolve_s8",), kernel="tg_convolve_1x1_inplace_s8", scratch_bytes=p["out_c"],
                    consts=[ctx.const(op, "kernel_sums", "int32_t", sums.astype(np.int32))], drop=("bias",),
                    params=dict(bias_const="kernel_sums"))]
