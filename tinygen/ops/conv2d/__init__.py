"""CONV_2D (int8, weights per channel or per tensor) → tg_convolve_s8, with int4 weights (ops/int4.py)
tg_convolve_s4; 16x8 (int16 activations, int8 weights) → tg_convolve_s16 (int64 bias) / _s16_acc32 (int32 bias).

Semantics of TFLM's reference integer_ops::ConvPerChannel, parameters as micro/kernels/conv_common.cc prepares
them. Grouped convolution (input channels a multiple of the filter's) is computed as the reference kernel does.
The quantization checks here are shared with DEPTHWISE_CONV_2D.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import cmsis_nn, specialized
from .. import int4
from ..add import AddParams
from ..common import (Activation, Arity, Const, FloatActivation, InPlace, Layer, LowerContext, OpDef, const,
                      float_activation, float_weights, require_float, require_per_tensor, require_quantized,
                      require_same_type)
from ..window import Window, window
from ...errors import TinygenError
from ...quant import QUANTIZED_BIAS_INT32, TYPE_RANGE, activation_range, per_channel_multipliers, require_wide_shifts

CONV_BLOCK = 4  # output channels per block of tg_conv2d.c (TG_CONV_BLOCK): tg_convolve_s4 unpacks as many filters
CONV_OPTIONS = dict(padding=0, stride_w=1, stride_h=1, dilation_w_factor=1, dilation_h_factor=1)


@dataclass(frozen=True)
class ConvQuant:
    input_offset: int  # -input zero point
    output_offset: int  # +output zero point
    act: Activation


@dataclass(frozen=True)
class ConvParams:
    win: Window
    in_c: int
    out_c: int
    filter_c: int
    quant: ConvQuant
    residual: AddParams | None = None  # an ADD fused into the epilogue (input 1 of the ADD is the convolution)


def require_activations(graph, op, data_input: int = 0, weights_input: int = 1) -> tuple:
    """Input, weights and output of a convolution: int8 (or int4) weights, int8 activations or 16x8's int16 ones
    (whose kernels in TFLM take no zero points: they must be 0)."""
    x, y = require_quantized(graph, op, ("int8", "int16"), op.inputs[data_input], op.outputs[0])
    (w,) = require_quantized(graph, op, ("int8", "int4"), op.inputs[weights_input])
    int4.require_int8_activations(op, w, x)
    require_per_tensor(op, x, y)
    require_same_type(op, x, y, "convert with int8 (or 16x8) quantization throughout")
    if x.dtype == "int16" and (x.zero_point or y.zero_point):
        raise TinygenError(f"{op.kind} (operator {op.index}) has int16 zero points {x.zero_point} and "
                           f"{y.zero_point}; TFLite Micro's 16x8 kernels ignore them",
                           "quantize int16 activations symmetrically (the converter's 16x8 default)")
    return x, w, y


def quantization(graph, op, x, w, y, channels: int, axis: int,
                 bias_input: int = 2) -> tuple[ConvQuant, tuple[Const, ...]]:
    """Offsets, activation range, and the bias and per-channel multiplier/shift constants of a convolution.

    TFLM's int8 convolutions always run per channel: per-tensor weights get their one multiplier repeated. Its
    16x8 ones take an int64 bias (an int64 accumulator); CONV_2D also an int32 one (an int32 accumulator), which
    quantized_bias_type selects when there is no bias. The bias constant's type tells the lowering which.
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
    bias_types = ("int32",)
    if x.dtype == "int16":
        # TRANSPOSE_CONV widens an int16 bias to int64 (and would misread an int32 one as int64).
        bias_types = {"CONV_2D": ("int64", "int32"), "TRANSPOSE_CONV": ("int64", "int16")}.get(op.kind, ("int64",))
    bias_type = bias_types[0]
    if op.options.get("quantized_bias_type", 0) == QUANTIZED_BIAS_INT32 and "int32" in bias_types:
        bias_type = "int32"
    bias = np.zeros(channels, bias_type)
    if len(op.inputs) > bias_input and op.inputs[bias_input] >= 0:
        b = graph.tensors[op.inputs[bias_input]]
        if b.dtype not in bias_types or not b.is_const or b.size != channels:
            raise TinygenError(f"{op.kind} (operator {op.index}) bias must be {channels} constant "
                               f"{' or '.join(bias_types)} values (it is {b.size} {b.dtype})",
                               "convert with full-integer int8 quantization")
        bias_type = "int64" if b.dtype == "int16" else b.dtype
        bias = b.data.astype(bias_type).reshape(-1)
    act = Activation(*activation_range(op.options.get("fused_activation_function", 0), y.scale, y.zero_point,
                                       *TYPE_RANGE[y.dtype]))
    mult, shift = per_channel_multipliers(x.scale, q.scale, y.scale, channels)
    if bias_type == "int64":
        require_wide_shifts(shift, f"{op.kind} (operator {op.index})")
    consts = (int4.weights_const(w), const("bias", f"{bias_type}_t", bias),
              const("mult", "int32_t", mult), const("shift", "int32_t", shift))
    return ConvQuant(-x.zero_point, y.zero_point, act), consts


def kernel_16x8(name: str, consts: tuple[Const, ...]) -> str:
    """The 16x8 kernel for the bias constant's type: `name` (int64) or `name`_acc32 (int32)."""
    return name if next(c for c in consts if c.role == "bias").ctype == "int64_t" else f"{name}_acc32"


def geometry(op, x, w, y) -> tuple[Window, int, int, int]:
    """(window, input channels, output channels, the filter's input channels) of a CONV_2D, checked."""
    if len(w.shape) != 4:
        raise TinygenError(f"CONV_2D (operator {op.index}) has a rank-{len(w.shape)} filter",
                           "the filter must be [out_c, kh, kw, in_c]")
    out_c, kh, kw, filter_c = (int(d) for d in w.shape)
    win = window(op, x, y, kh, kw, out_c)
    in_c = int(x.shape[3])
    if filter_c < 1 or in_c % filter_c or out_c % (in_c // filter_c):
        raise TinygenError(f"CONV_2D (operator {op.index}) has {in_c} input channels, a filter over {filter_c} "
                           f"and {out_c} outputs, which do not split into equal groups",
                           "the model file is inconsistent; re-export it")
    return win, in_c, out_c, filter_c


@dataclass(frozen=True)
class FloatConvParams:
    win: Window
    in_c: int
    out_c: int
    filter_c: int
    act: FloatActivation


def lower_float(graph, op) -> Layer:
    """float32 → tg_convolve_f32 (TFLM's reference Conv<float>)."""
    x, w, y = require_float(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    win, in_c, out_c, filter_c = geometry(op, x, w, y)
    params = FloatConvParams(win, in_c, out_c, filter_c, float_activation(op))
    return Layer(op, "conv2d/conv2d_f32.c.j2", "tg_convolve_f32", (op.inputs[0],), (op.outputs[0],), params,
                 float_weights(graph, op, w, out_c), macs=win.n * win.out_h * win.out_w * out_c * win.k_h * win.k_w
                 * filter_c, summary=win.summary(op, in_c, out_c) + " (float32)")


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float(graph, op)
    x, w, y = require_activations(graph, op)
    win, in_c, out_c, filter_c = geometry(op, x, w, y)
    kh, kw = win.k_h, win.k_w
    quant, consts = quantization(graph, op, x, w, y, out_c, 0)  # weights OHWI, as the kernel reads them
    params = ConvParams(win, in_c, out_c, filter_c, quant)
    groups = in_c // filter_c
    macs = win.n * win.out_h * win.out_w * out_c * kh * kw * filter_c
    summary = win.summary(op, in_c, out_c) + (f", {groups} groups" if groups > 1 else "")
    if x.dtype == "int16":
        return Layer(op, "conv2d/conv2d.c.j2", kernel_16x8("tg_convolve_s16", consts), (op.inputs[0],),
                     (op.outputs[0],), params, consts, macs=macs, summary=summary + " (16x8)")
    if w.dtype == "int4":
        return Layer(op, "conv2d/conv2d.c.j2", "tg_convolve_s4", (op.inputs[0],), (op.outputs[0],), params,
                     consts, scratch_bytes=CONV_BLOCK * kh * kw * filter_c, macs=macs,
                     summary=summary + " (int4 weights)")
    return Layer(op, "conv2d/conv2d.c.j2", "tg_convolve_s8", (op.inputs[0],), (op.outputs[0],), params, consts,
                 macs=macs, summary=summary, inplace=_inplace(params, consts, w))


def _inplace(p: ConvParams, consts: tuple[Const, ...], w) -> tuple[InPlace, ...]:
    """A pointwise convolution (1x1, stride 1, no padding, one group) may overwrite its input pixel by pixel
    through one output pixel of scratch (tg_convolve_1x1_inplace_s8), reading the bias folded with the input
    offset's filter sums from flash. Not worth it when one pixel is the whole tensor."""
    g = p.win
    if (g.k_h, g.k_w, g.stride_h, g.stride_w, g.pad_h, g.pad_w) != (1, 1, 1, 1, 0, 0) or \
            p.filter_c != p.in_c or g.n * g.in_h * g.in_w < 2:
        return ()
    bias = next(c.values for c in consts if c.role == "bias").astype(np.int64)
    sums = bias + p.quant.input_offset * w.data.reshape(p.out_c, -1).astype(np.int64).sum(axis=1)
    if np.any(sums < -2**31) or np.any(sums >= 2**31):
        return ()  # the portable kernel's int32 arithmetic would differ
    return (InPlace(0, ("tg_convolve_s8",), kernel="tg_convolve_1x1_inplace_s8", scratch_bytes=p.out_c,
                    consts=(const("kernel_sums", "int32_t", sums.astype(np.int32)),), drop=("bias",)),)


def add_conv(m, rng, kind: str, x: int, filter_shape, out_shape, axis: int, shape_input: int | None = None,
             bias: bool = True, **options) -> int:
    """Append a convolution with random weights (per-channel scales along `axis`) and bias to builder m; with
    `shape_input` a TRANSPOSE_CONV (inputs: output shape, filter, input, bias)."""
    channels = filter_shape[axis]
    s_in = m.scale(x)
    scales = rng.uniform(0.002, 0.02, size=channels)
    w = m.tensor(filter_shape, data=rng.integers(-127, 128, size=filter_shape).astype(np.int8), scale=scales,
                 zero_point=[0] * channels, axis=axis)
    b = m.tensor([channels], "int32", data=rng.integers(-2000, 2000, channels).astype(np.int32),
                 scale=s_in * scales, zero_point=[0] * channels)
    y = m.tensor(out_shape, scale=float(rng.uniform(0.02, 0.08)), zero_point=int(rng.integers(-10, 10)))
    inputs = [x, w] if shape_input is None else [shape_input, w, x]
    defaults = CONV_OPTIONS if shape_input is None else dict(padding=0, stride_w=1, stride_h=1)
    m.op(kind, inputs + ([b] if bias else []), [y], **dict(defaults, **options))
    return y


def example(m, rng) -> bytes:
    """3x3 SAME (ReLU6) → 1x1 → 3x3 VALID stride 2 over a filter of 4 input channels (2 groups)."""
    x = m.tensor([1, 7, 7, 8], scale=0.04, zero_point=-5)
    h1 = add_conv(m, rng, "CONV_2D", x, [6, 3, 3, 8], [1, 7, 7, 6], 0, fused_activation_function=3)
    h2 = add_conv(m, rng, "CONV_2D", h1, [8, 1, 1, 6], [1, 7, 7, 8], 0)
    y = add_conv(m, rng, "CONV_2D", h2, [4, 3, 3, 4], [1, 3, 3, 4], 0, padding=1, stride_w=2, stride_h=2)
    return m.finish([x], [y])


OP = OpDef(kinds=("CONV_2D",), arity={"CONV_2D": Arity(2, 1)}, options={"CONV_2D": "Conv2DOptions"},
           lower=lower, weights_axis=0, fuses_activation=True,
           backends={"cmsis-nn": cmsis_nn.retarget, "specialized": specialized.retarget},
           types=("int8", "int16", "float32"), example=example,
           header="tg_conv2d.h")
