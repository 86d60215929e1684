"""MUL (int8, int16) → tg_elementwise_mul_s8 / _s16 when the operands have the output's shape, else
tg_broadcast_mul_s8 / _s16.

One multiplier, QuantizeMultiplier((double)s1 * (double)s2 / (double)s_out), as TFLM's
micro/kernels/mul_common.cc CalculateOpDataMul; int16 operands and output need zero points 0 there.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import cmsis_nn
from ..add import Elementwise, lower_float_binary, require_operands
from ..common import TYPE_SUFFIX, Activation, Arity, Layer, LowerContext, OpDef, broadcast_nhwc, elementwise_inplace
from ...errors import TinygenError
from ...quant import TYPE_RANGE, activation_range, quantize_multiplier


@dataclass(frozen=True)
class MulParams:
    in1_offset: int
    in2_offset: int
    out_offset: int
    out_mult: int
    out_shift: int
    act: Activation
    shape: Elementwise


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float_binary(graph, op)
    a, b, y = require_operands(graph, op)
    if y.dtype == "int16" and (a.zero_point, b.zero_point, y.zero_point) != (0, 0, 0):
        raise TinygenError(f"MUL (operator {op.index}) has int16 zero points {a.zero_point}, {b.zero_point} and "
                           f"{y.zero_point}; TFLite Micro requires 0", "convert with the TFLite converter's 16x8 "
                           "quantization")
    shape = Elementwise(y.size, *broadcast_nhwc(op, a, b, y))
    mult, shift = quantize_multiplier(a.scale * b.scale / y.scale)
    act = Activation(*activation_range(op.options.get("fused_activation_function", 0), y.scale, y.zero_point,
                                       *TYPE_RANGE[y.dtype]))
    kernel = ("tg_broadcast_mul_" if shape.broadcast else "tg_elementwise_mul_") + TYPE_SUFFIX[y.dtype]
    how = f"{list(a.shape)} * {list(b.shape)}" if shape.broadcast else f"{y.size}"
    inplace = elementwise_inplace((kernel,), shape.dims1 == shape.dims_out,
                                  shape.dims2 == shape.dims_out)
    return Layer(op, "mul/mul.c.j2", kernel, (op.inputs[0], op.inputs[1]), (op.outputs[0],),
                 MulParams(-a.zero_point, -b.zero_point, y.zero_point, mult, shift, act, shape), macs=y.size,
                 summary=f"MUL {how}", inplace=inplace)


def example(m, rng) -> bytes:
    """[1,3,4,2] * [4,1] (broadcast), then squared elementwise with ReLU6; the same in int16 (16x8) after a
    QUANTIZE."""
    x = m.tensor([1, 3, 4, 2], scale=0.05, zero_point=3)
    c = m.tensor([4, 1], scale=0.03, zero_point=-2, data=rng.integers(-128, 128, (4, 1)).astype(np.int8))
    h = m.tensor([1, 3, 4, 2], scale=0.01, zero_point=0)
    m.op("MUL", [x, c], [h])
    y8 = m.tensor([1, 3, 4, 2], scale=0.004, zero_point=-128)
    m.op("MUL", [h, h], [y8], fused_activation_function=3)
    x16 = m.tensor([1, 3, 4, 2], "int16", scale=0.0002)
    m.op("QUANTIZE", [y8], [x16])
    c16 = m.tensor([4, 1], "int16", scale=0.0001, data=rng.integers(-32768, 32768, (4, 1)).astype(np.int16))
    h16 = m.tensor([1, 3, 4, 2], "int16", scale=0.0003)
    m.op("MUL", [x16, c16], [h16])
    y = m.tensor([1, 3, 4, 2], "int16", scale=0.00002)
    m.op("MUL", [h16, h16], [y], fused_activation_function=1)
    return m.finish([x], [y])


OP = OpDef(kinds=("MUL",), arity={"MUL": Arity(2)}, options={"MUL": "MulOptions"}, lower=lower,
           fuses_activation=True, backends={"cmsis-nn": cmsis_nn.retarget}, types=("int8", "int16", "float32"),
           example=example, header="tg_mul.h")
