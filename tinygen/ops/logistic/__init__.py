"""LOGISTIC (int8) → tg_logistic_s8: TFLite Micro's reference integer_ops::Logistic (gemmlowp fixed point);
(int16) → tg_logistic_s16: its interpolation in a sigmoid table.

The int8 output is always on scale 1/256 with zero point -128: TFLM requires that zero point and does not read
the output scale, so neither does tinygen. int16 needs zero points 0 and an output scale of 2^-15
(micro/kernels/logistic_common.cc; TANH's Prepare alike).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import (Arity, Layer, LowerContext, OpDef, elementwise_inplace, lower_float_elementwise,
                      require_per_tensor, require_quantized)
from ...errors import TinygenError
from ...quant import checked_log2, logistic_tanh_input_params


@dataclass(frozen=True)
class FixedPointInput:
    """The input of a gemmlowp fixed-point function (LOGISTIC, TANH): rescaled to Q4.27 within radius."""
    size: int
    input_zero_point: int
    radius: int
    mult: int
    shift: int


def fixed_point_input(x) -> FixedPointInput:
    mult, shift, radius = logistic_tanh_input_params(x.scale)
    return FixedPointInput(x.size, x.zero_point, radius, mult, shift)


@dataclass(frozen=True)
class TableInput:
    """The int16 input of the sigmoid table (LOGISTIC, TANH): x * mult >> shift, rounded."""
    size: int
    mult: int
    shift: int


def table_input(op, x, y, pot_shifts: tuple[int, ...]) -> TableInput:
    """TFLM's int16 LOGISTIC / TANH Prepare: a power-of-two input scale 2^(shift - 12) with shift in
    `pot_shifts` multiplies by 3 << shift; any other scale by int(scale · 3 · 4096 · 2^shift), shift the
    smallest that brings the multiplier above 32767 / 2."""
    if x.zero_point != 0 or y.zero_point != 0:
        raise TinygenError(f"{op.kind} (operator {op.index}) has int16 zero points {x.zero_point} and "
                           f"{y.zero_point}; TFLite Micro requires 0", "convert with the TFLite converter's 16x8 "
                           "quantization")
    output_log2, output_pot = checked_log2(y.scale)
    if not (output_pot and output_log2 == -15):
        raise TinygenError(f"{op.kind} (operator {op.index}) int16 output has scale {y.scale:g}; TFLite Micro "
                           "requires 2^-15", "convert with the TFLite converter's 16x8 quantization")
    input_log2, input_pot = checked_log2(x.scale)
    shift = 12 + input_log2
    if input_pot and shift in pot_shifts:
        return TableInput(x.size, 3 << shift, 0)
    multiplier, shift = float(np.float32(x.scale)) * 4096.0 * 3.0, 0
    while multiplier <= 32767.0 / 2.0 and shift <= 30:
        shift += 1
        multiplier *= 2.0
    if multiplier > 32767:  # TFLM only DCHECKs this; (x * multiplier) could then overflow
        raise TinygenError(f"{op.kind} (operator {op.index}) int16 input scale {x.scale:g} is too large for "
                           "TFLite Micro's table (at most 32767 / 12288)", "re-quantize the model")
    return TableInput(x.size, int(multiplier), shift)


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float_elementwise(graph, op)
    x, y = require_quantized(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    if x.dtype != y.dtype:
        raise TinygenError(f"LOGISTIC (operator {op.index}) turns {x.dtype} into {y.dtype}; TFLite Micro requires "
                           "one type", "re-convert the model")
    if x.dtype == "int16":
        return Layer(op, "logistic/table.c.j2", "tg_logistic_s16", (op.inputs[0],), (op.outputs[0],),
                     table_input(op, x, y, (0,)), summary=f"LOGISTIC {list(x.shape)} int16",
                     inplace=elementwise_inplace(("tg_logistic_s16",), True))
    if y.zero_point != -128:
        raise TinygenError(f"LOGISTIC (operator {op.index}) output zero point is {y.zero_point}; TFLite Micro "
                           "requires -128", "convert with the TFLite converter's int8 quantization")
    return Layer(op, "logistic/logistic.c.j2", "tg_logistic_s8", (op.inputs[0],), (op.outputs[0],),
                 fixed_point_input(x), summary=f"LOGISTIC {list(x.shape)}",
                 inplace=elementwise_inplace(("tg_logistic_s8",), True))


def example(m, rng) -> bytes:
    """int8, then int16 on a general input scale."""
    x = m.tensor([1, 2, 16], scale=0.08, zero_point=5)
    y8 = m.tensor([1, 2, 16], scale=1 / 256, zero_point=-128)
    m.op("LOGISTIC", [x], [y8])
    x16 = m.tensor([1, 2, 16], "int16", scale=0.00013)
    m.op("QUANTIZE", [y8], [x16])
    y = m.tensor([1, 2, 16], "int16", scale=1 / 32768)
    m.op("LOGISTIC", [x16], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("LOGISTIC",), arity={"LOGISTIC": Arity(1)}, options={"LOGISTIC": None}, lower=lower,
           same_shape=True, types=("int8", "int16", "float32"), example=example, header="tg_logistic.h")
