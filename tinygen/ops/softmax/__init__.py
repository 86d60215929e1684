"""SOFTMAX over the last axis → tg_softmax_s8 (int8 → int8), tg_softmax_s8_s16 (int8 → int16) or tg_softmax_s16
(int16 → int16).

TFLM's reference softmax (micro/kernels/softmax_common.cc CalculateSoftmaxParams): from int8,
PreprocessSoftmaxScaling(beta, input scale, 5 integer bits) gives the multiplier, left shift and diff_min, and the
output is fixed at zero point -128, scale 1/256 (int8) or -32768, 1/65536 (int16). From int16 (zero points 0,
output scale 1/32768), QuantizeMultiplier(input scale · beta / (10 / 65535)) maps differences onto the exp table's
[-10, 0], and Prepare fills two 513-entry tables (exp and 1 / (1 + x)), which the lowering builds here instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import cmsis_nn
from ..common import (Arity, InPlace, Layer, LowerContext, OpDef, const, require_float, require_per_tensor,
                      require_quantized)
from ...errors import TinygenError
from ...quant import libm_float, quantize_multiplier, round_f32, softmax_params

F32 = np.float32
INT16_RANGE = 65535  # int16 max - min, TFLM's `range`
# (zero point, 1 / scale, TFLM's relative tolerance on the scale) of the output per (input, output) type
OUTPUTS = {("int8", "int8"): (-128, 256, 0.0), ("int8", "int16"): (-32768, 65536, 0.001),
           ("int16", "int16"): (0, 32768, 0.001)}
KERNELS = {("int8", "int8"): "tg_softmax_s8", ("int8", "int16"): "tg_softmax_s8_s16",
           ("int16", "int16"): "tg_softmax_s16"}


@dataclass(frozen=True)
class SoftmaxParams:
    rows: int
    row: int
    mult: int
    shift: int
    diff_min: int  # int8 input only


def int16_lut(transform, input_scale: F32, input_zero_point: int, output_scale: F32,
              output_zero_point: int) -> np.ndarray:
    """TFLite's LUTPopulateInt16<float>: 512 samples of `transform` (float32 → float32) over the int16 input
    range, each biased by half the interpolation error at its midpoint, and the value at the end; all in float32
    arithmetic, as the C++ code computes it."""
    input_min = input_scale * F32(-32768 - input_zero_point)
    input_max = input_scale * F32(32767 - input_zero_point)
    output_min = output_scale * F32(-32768 - output_zero_point)
    output_max = output_scale * F32(32767 - output_zero_point)
    steps = 512
    step = (input_max - input_min) / F32(steps)
    half_step = step / F32(2)
    scaling_inv = F32(65536) / (output_max - output_min)

    def clamp(v: F32) -> int:
        return int(min(max(v, F32(-32768)), F32(32767)))

    lut = np.empty(steps + 1, np.int16)
    for i in range(steps):
        val = transform(input_min + F32(i) * step)
        val_midpoint = transform(input_min + F32(i) * step + half_step)
        val_next = transform(input_min + F32(i + 1) * step)
        sample = round_f32(val * scaling_inv)
        midpoint_interp = round_f32((val_next * scaling_inv + round_f32(val * scaling_inv)) / F32(2))
        midpoint_err = midpoint_interp - round_f32(val_midpoint * scaling_inv)
        lut[i] = clamp(sample - round_f32(midpoint_err / F32(2)))
    lut[steps] = clamp(round_f32(transform(input_max) * scaling_inv))
    return lut


@lru_cache(maxsize=None)
def softmax_luts() -> tuple[np.ndarray, np.ndarray]:
    """The exp table over [-10, 0] and the 1 / (1 + x) table over [0, 1] that TFLM's InitializeLutForInt16
    fills (both independent of the tensors' scales)."""
    exp_lut = int16_lut(libm_float("expf"), F32(10.0) / F32(INT16_RANGE), 32767,
                        F32(2.0) / F32(INT16_RANGE), 0)
    reciprocal_lut = int16_lut(lambda v: F32(1.0) / (F32(1.0) + v), F32(1.0) / F32(INT16_RANGE), -32768,
                               F32(2.0) / F32(INT16_RANGE), 0)
    for lut in (exp_lut, reciprocal_lut):
        lut.flags.writeable = False
    return exp_lut, reciprocal_lut


@dataclass(frozen=True)
class FloatSoftmaxParams:
    num_rows: int
    row_size: int
    beta: float


def lower_float(graph, op) -> Layer:
    """float32 → tg_softmax_f32 (TFLM's reference Softmax<float>): exp((x - max) * beta) / sum, in float32."""
    x, y = require_float(graph, op, op.inputs[0], op.outputs[0])
    row = int(x.shape[-1]) if x.shape else 1
    beta = float(np.float32(op.options.get("beta", 1.0)))
    return Layer(op, "softmax/softmax_f32.c.j2", "tg_softmax_f32", (op.inputs[0],), (op.outputs[0],),
                 FloatSoftmaxParams(x.size // max(row, 1), row, beta), inplace=(InPlace(0, ("tg_softmax_f32",)),),
                 summary=f"SOFTMAX {list(x.shape)} beta {beta:g} (float32)")


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float(graph, op)
    x, y = require_quantized(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    if (x.dtype, y.dtype) not in KERNELS:
        raise TinygenError(f"SOFTMAX (operator {op.index}) turns {x.dtype} into {y.dtype}; TFLite Micro's softmax "
                           "maps int8 to int8 or int16, and int16 to int16", "re-convert the model")
    zero_point, inverse_scale, tolerance = OUTPUTS[(x.dtype, y.dtype)]
    scale = 1 / inverse_scale
    if tolerance == 0:
        accepted = np.float32(y.scale) == np.float32(scale)
    else:  # TF_LITE_ENSURE_NEAR
        accepted = abs(y.scale - scale) <= tolerance * scale
    if y.zero_point != zero_point or not accepted:
        raise TinygenError(f"SOFTMAX (operator {op.index}) {y.dtype} output has scale {y.scale:g}, zero point "
                           f"{y.zero_point}; TFLite Micro requires 1/{inverse_scale} and {zero_point}",
                           "convert with the TFLite converter's defaults")
    if x.dtype == "int16" and x.zero_point != 0:
        raise TinygenError(f"SOFTMAX (operator {op.index}) int16 input has zero point {x.zero_point}; TFLite Micro "
                           "requires 0", "convert with the TFLite converter's 16x8 quantization")
    if len(x.shape) < 1 or tuple(x.shape) != tuple(y.shape) or x.size == 0:
        raise TinygenError(f"SOFTMAX (operator {op.index}) maps {list(x.shape)} to {list(y.shape)}",
                           "the model file is inconsistent; re-export it")
    beta = float(op.options.get("beta", 1.0))
    row = int(x.shape[-1])
    rows = x.size // row
    kernel = KERNELS[(x.dtype, y.dtype)]
    summary = f"SOFTMAX {rows}x{row} beta={beta:g}" + ("" if x.dtype == y.dtype == "int8" else f" -> {y.dtype}")
    if x.dtype == "int16":
        mult, shift = quantize_multiplier(float(np.float32(x.scale)) * float(np.float32(beta)) / (10.0 / 65535.0))
        exp_lut, reciprocal_lut = softmax_luts()
        return Layer(op, "softmax/softmax.c.j2", kernel, (op.inputs[0],), (op.outputs[0],),
                     SoftmaxParams(rows, row, mult, shift, 0),
                     (const("exp_lut", "int16_t", exp_lut), const("one_over_one_plus_x_lut", "int16_t",
                                                                  reciprocal_lut)), summary=summary)
    mult, shift, diff_min = softmax_params(beta, x.scale)
    return Layer(op, "softmax/softmax.c.j2", kernel, (op.inputs[0],), (op.outputs[0],),
                 SoftmaxParams(rows, row, mult, shift, diff_min), summary=summary)


def example(m, rng) -> bytes:
    """Softmax over rows of 5, beta 0.7 (int8); then to int16 (beta 1.3) and, requantized to zero point 0, in
    int16 (beta 2)."""
    x = m.tensor([1, 3, 5], scale=0.1, zero_point=12)
    p8 = m.tensor([1, 3, 5], scale=1 / 256, zero_point=-128)
    m.op("SOFTMAX", [x], [p8], beta=0.7)
    p16 = m.tensor([1, 3, 5], "int16", scale=1 / 65536, zero_point=-32768)
    m.op("SOFTMAX", [p8], [p16], beta=1.3)
    centred = m.tensor([1, 3, 5], "int16", scale=1 / 32768, zero_point=0)
    m.op("QUANTIZE", [p16], [centred])
    y = m.tensor([1, 3, 5], "int16", scale=1 / 32768, zero_point=0)
    m.op("SOFTMAX", [centred], [y], beta=2.0)
    return m.finish([x], [y])


OP = OpDef(kinds=("SOFTMAX",), arity={"SOFTMAX": Arity(1)}, options={"SOFTMAX": "SoftmaxOptions"}, lower=lower,
           same_shape=True, backends={"cmsis-nn": cmsis_nn.retarget},
           types=("int8", "int8->int16", "int16", "float32"),
           example=example, header="tg_softmax.h")
