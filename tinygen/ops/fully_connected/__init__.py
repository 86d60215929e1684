"""FULLY_CONNECTED (int8, per-tensor or per-channel weights) → tg_fully_connected_s8 / _per_channel_s8, with int4
weights (ops/int4.py, per tensor) tg_fully_connected_s4; 16x8
(int16 activations, int8 weights) → tg_fully_connected_s16 (int64 bias) / _s16_acc32 (int32 bias)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import cmsis_nn, specialized
from .. import int4
from ..common import (Activation, Arity, FloatActivation, Layer, LowerContext, OpDef, const, float_activation,
                      float_weights, require_float, require_per_tensor, require_quantized, require_same_type)
from ...errors import TinygenError
from ...quant import (QUANTIZED_BIAS_INT32, TYPE_RANGE, activation_range, per_channel_multipliers,
                      per_tensor_conv_multiplier, require_wide_shifts)

INT8_KERNELS = ("tg_fully_connected_s8", "tg_fully_connected_per_channel_s8")


@dataclass(frozen=True)
class FullyConnectedParams:
    batches: int
    accum: int  # input values per output
    out_depth: int
    input_offset: int
    output_offset: int
    act: Activation
    per_channel: bool
    mult: int = 0  # per tensor: the one multiplier and shift (per channel: constants "mult", "shift")
    shift: int = 0


@dataclass(frozen=True)
class FloatFullyConnectedParams:
    batches: int
    accum: int
    out_depth: int
    act: FloatActivation


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float(graph, op)
    x, y = require_quantized(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
    (w,) = require_quantized(graph, op, ("int8", "int4"), op.inputs[1])
    int4.require_int8_activations(op, w, x)
    require_same_type(op, x, y, "convert with int8 (or 16x8) quantization throughout")
    require_per_tensor(op, x)
    if not w.is_const:
        raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) has non-constant weights",
                           "tinygen compiles models whose weights are constants")
    if w.dtype == "int4" and w.quant.per_channel:  # fully_connected_common.cc: per channel is int8 only
        raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) has int4 weights quantized per channel; "
                           "TFLite Micro runs int4 FULLY_CONNECTED per tensor only",
                           "quantize its weights per tensor (or to int8)")
    if op.options.get("weights_format", 0) != 0:
        raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) uses shuffled weights",
                           "convert with the default weights format")
    if np.any(w.quant.zero_point != 0):
        raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) has non-zero weight zero points",
                           "quantize weights symmetrically (TFLite's int8 default)")
    batches, accum, out_depth = fc_shapes(op, x, w, y)
    wide = x.dtype == "int16" and op.options.get("quantized_bias_type", 0) != QUANTIZED_BIAS_INT32
    bias_type = "int64" if wide else "int32"
    bias = np.zeros(out_depth, bias_type)
    if len(op.inputs) > 2 and op.inputs[2] >= 0:
        b = graph.tensors[op.inputs[2]]
        if x.dtype == "int16" and b.dtype in ("int32", "int64"):  # TFLM's 16x8 paths: the bias type decides
            wide, bias_type = b.dtype == "int64", b.dtype
        if b.dtype != bias_type or not b.is_const or b.size != out_depth:
            raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) bias must be {out_depth} constant "
                               f"{bias_type} values", "convert with full-integer int8 quantization")
        bias = b.data.astype(bias_type).reshape(-1)
        # TFLM's per-tensor Prepare (GetQuantizedConvolutionMultipler) refuses a bias scale far from in × w.
        product = float(np.float64(x.scale) * np.float64(w.quant.scale[0]))
        bias_scale = b.scale if b.quant is not None else 0.0
        if not w.quant.per_channel and not abs(product - bias_scale) / float(y.scale) <= 0.02:
            raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) has bias scale {bias_scale:g}, not input "
                               f"scale × weight scale ({product:g}); TFLite Micro refuses this",
                               "re-quantize the model with the TFLite converter")
    act = Activation(*activation_range(op.options.get("fused_activation_function", 0), y.scale, y.zero_point,
                                       *TYPE_RANGE[y.dtype]))
    consts = [int4.weights_const(w), const("bias", f"{bias_type}_t", bias)]
    mult = shift = 0
    if w.quant.per_channel:
        mults, shifts = per_channel_multipliers(x.scale, w.quant.scale, y.scale, out_depth)
    else:
        mult, shift = per_tensor_conv_multiplier(x.scale, float(w.quant.scale[0]), y.scale)
        mults, shifts = np.full(out_depth, mult, np.int32), np.full(out_depth, shift, np.int32)
    if w.quant.per_channel or x.dtype == "int16":  # the 16x8 kernels read one multiplier per output
        consts += [const("mult", "int32_t", mults), const("shift", "int32_t", shifts)]
    if wide:
        require_wide_shifts(shifts, f"FULLY_CONNECTED (operator {op.index})")
    params = FullyConnectedParams(batches, accum, out_depth, -x.zero_point, y.zero_point, act, w.quant.per_channel,
                                  mult, shift)
    if x.dtype == "int16":
        kernel = "tg_fully_connected_s16" if wide else "tg_fully_connected_s16_acc32"
    else:
        kernel = "tg_fully_connected_s4" if w.dtype == "int4" else INT8_KERNELS[1 if w.quant.per_channel else 0]
    note = {"int16": f" (16x8, {bias_type} accumulator)"}.get(x.dtype, " (int4 weights)" if w.dtype == "int4" else "")
    return Layer(op, "fully_connected/fully_connected.c.j2", kernel, (op.inputs[0],), (op.outputs[0],), params,
                 tuple(consts), macs=batches * accum * out_depth, scratch_bytes=accum if w.dtype == "int4" else 0,
                 summary=f"FULLY_CONNECTED {batches}x{accum} -> {out_depth}{note}")


def fc_shapes(op, x, w, y) -> tuple[int, int, int]:
    """(batches, accum, out_depth) of FULLY_CONNECTED's input, weights [out_depth, accum] and output."""
    out_depth, accum = (int(w.shape[0]), int(w.shape[-1])) if len(w.shape) == 2 else (0, 1)
    if len(w.shape) != 2 or not y.shape or y.shape[-1] != out_depth or x.size % accum:
        raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) has inconsistent shapes "
                           f"{list(x.shape)} × {list(w.shape)} → {list(y.shape)}", "the model file is corrupted")
    batches = x.size // accum
    if batches * out_depth != y.size:
        raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) output shape {list(y.shape)} does not match",
                           "the model file is corrupted")
    return batches, accum, out_depth


def lower_float(graph, op) -> Layer:
    """float32 → tg_fully_connected_f32 (TFLM's reference FullyConnected<float>)."""
    x, w, y = require_float(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    batches, accum, out_depth = fc_shapes(op, x, w, y)
    consts = float_weights(graph, op, w, out_depth)
    act = float_activation(op)
    return Layer(op, "fully_connected/fully_connected_f32.c.j2", "tg_fully_connected_f32", (op.inputs[0],),
                 (op.outputs[0],), FloatFullyConnectedParams(batches, accum, out_depth, act), consts,
                 macs=batches * accum * out_depth,
                 summary=f"FULLY_CONNECTED {batches}x{accum} -> {out_depth} (float32)")


def int8_only(retarget, kernels=INT8_KERNELS):
    """A backend mapping that declines the 16x8 layers: CMSIS-NN's and the specialized kernels are int8 (and
    only CMSIS-NN's has an int4 form)."""
    return lambda layer, arch: retarget(layer, arch) if layer.kernel in kernels else None


def example(m, rng) -> bytes:
    """[1, 16] → 8 (per tensor, ReLU) → 4 (per channel): the two kernels."""
    x = m.tensor([1, 16], scale=0.04, zero_point=7)
    w1 = m.tensor([8, 16], data=rng.integers(-127, 128, (8, 16)).astype(np.int8), scale=0.01)
    b1 = m.tensor([8], "int32", data=rng.integers(-2000, 2000, 8).astype(np.int32), scale=0.04 * 0.01)
    h = m.tensor([1, 8], scale=0.1, zero_point=-128)
    m.op("FULLY_CONNECTED", [x, w1, b1], [h], fused_activation_function=1)
    scales = rng.uniform(0.005, 0.02, size=4)
    w2 = m.tensor([4, 8], data=rng.integers(-127, 128, (4, 8)).astype(np.int8), scale=scales, zero_point=[0] * 4)
    b2 = m.tensor([4], "int32", data=rng.integers(-2000, 2000, 4).astype(np.int32), scale=0.1 * scales,
                  zero_point=[0] * 4)
    y = m.tensor([1, 4], scale=0.2, zero_point=3)
    m.op("FULLY_CONNECTED", [h, w2, b2], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("FULLY_CONNECTED",), arity={"FULLY_CONNECTED": Arity(2, 1)},
           options={"FULLY_CONNECTED": "FullyConnectedOptions"}, lower=lower, weights_axis=0, fuses_activation=True,
           backends={"cmsis-nn": int8_only(cmsis_nn.retarget, INT8_KERNELS + ("tg_fully_connected_s4",)),
                     "specialized": int8_only(specialized.retarget)},
           types=("int8", "int16", "float32"), example=example, header="tg_fully_connected.h")
