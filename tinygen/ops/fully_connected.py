"""FULLY_CONNECTED (int8, per-tensor or per-channel weights) → tg_fully_connected_s8 / _per_channel_s8."""
from __future__ import annotations

import numpy as np

from ..errors import TinygenError
from ..quant import activation_range, per_channel_multipliers, per_tensor_conv_multiplier
from . import Layer, LowerContext, require_int8, require_per_tensor


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, w, y = require_int8(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    require_per_tensor(op, x)
    if not w.is_const:
        raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) has non-constant weights",
                           "tinygen compiles models whose weights are constants")
    if op.options.get("weights_format", 0) != 0:
        raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) uses shuffled weights",
                           "convert with the default weights format")
    if np.any(w.quant.zero_point != 0):
        raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) has non-zero weight zero points",
                           "quantize weights symmetrically (TFLite's int8 default)")
    out_depth, accum = (int(w.shape[0]), int(w.shape[-1])) if len(w.shape) == 2 else (0, 1)
    if len(w.shape) != 2 or not y.shape or y.shape[-1] != out_depth or x.size % accum:
        raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) has inconsistent shapes "
                           f"{list(x.shape)} × {list(w.shape)} → {list(y.shape)}", "the model file is corrupted")
    batches = x.size // accum
    if batches * out_depth != y.size:
        raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) output shape {list(y.shape)} does not match",
                           "the model file is corrupted")
    bias = np.zeros(out_depth, np.int32)
    if len(op.inputs) > 2 and op.inputs[2] >= 0:
        b = graph.tensors[op.inputs[2]]
        if b.dtype != "int32" or not b.is_const or b.size != out_depth:
            raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) bias must be {out_depth} constant int32 values",
                               "convert with full-integer int8 quantization")
        bias = b.data.astype(np.int32).reshape(-1)
        # TFLM's per-tensor Prepare (GetQuantizedConvolutionMultipler) refuses a bias scale far from in × w.
        product = float(np.float64(x.scale) * np.float64(w.quant.scale[0]))
        bias_scale = b.scale if b.quant is not None else 0.0
        if not w.quant.per_channel and not abs(product - bias_scale) / float(y.scale) <= 0.02:
            raise TinygenError(f"FULLY_CONNECTED (operator {op.index}) has bias scale {bias_scale:g}, not input "
                               f"scale × weight scale ({product:g}); TFLite Micro refuses this",
                               "re-quantize the model with the TFLite converter")
    act_min, act_max = activation_range(op.options.get("fused_activation_function", 0), y.scale, y.zero_point)
    params = dict(batches=batches, accum=accum, out_depth=out_depth, input_offset=-x.zero_point,
                  output_offset=y.zero_point, act_min=act_min, act_max=act_max, per_channel=w.quant.per_channel,
                  kernel="tg_fully_connected_per_channel_s8" if w.quant.per_channel else "tg_fully_connected_s8")
    consts = [ctx.const(op, "weights", "int8_t", w.data.reshape(out_depth, accum)),
              ctx.const(op, "bias", "int32_t", bias)]
    if w.quant.per_channel:
        mult, shift = per_channel_multipliers(x.scale, w.quant.scale, y.scale, out_depth)
        consts += [ctx.const(op, "mult", "int32_t", mult), ctx.const(op, "shift", "int32_t", shift)]
    else:
        params["mult"], params["shift"] = per_tensor_conv_multiplier(x.scale, float(w.quant.scale[0]), y.scale)
    return Layer(op, "fully_connected", [op.inputs[0]], [op.outputs[0]], params, consts,
                 macs=batches * accum * out_depth,
                 summary=f"FULLY_CONNECTED {batches}x{accum} -> {out_depth}")
