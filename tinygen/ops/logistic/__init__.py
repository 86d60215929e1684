"""LOGISTIC (int8) → tg_logistic_s8: TFLite Micro's reference integer_ops::Logistic (gemmlowp fixed point).

The output is always on scale 1/256 with zero point -128: TFLM requires that zero point and does not read the
output scale, so neither does tinygen.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..common import Arity, Layer, LowerContext, OpDef, elementwise_inplace, require_int8, require_per_tensor
from ...errors import TinygenError
from ...quant import logistic_tanh_input_params


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


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    if y.zero_point != -128:
        raise TinygenError(f"LOGISTIC (operator {op.index}) output zero point is {y.zero_point}; TFLite Micro "
                           "requires -128", "convert with the TFLite converter's int8 quantization")
    return Layer(op, "logistic/logistic.c.j2", "tg_logistic_s8", (op.inputs[0],), (op.outputs[0],),
                 fixed_point_input(x), summary=f"LOGISTIC {list(x.shape)}",
                 inplace=elementwise_inplace(("tg_logistic_s8",), True))


def example(m, rng) -> bytes:
    x = m.tensor([1, 2, 16], scale=0.08, zero_point=5)
    y = m.tensor([1, 2, 16], scale=1 / 256, zero_point=-128)
    m.op("LOGISTIC", [x], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("LOGISTIC",), arity={"LOGISTIC": Arity(1)}, options={"LOGISTIC": None}, lower=lower,
           same_shape=True, example=example, header="tg_logistic.h")
