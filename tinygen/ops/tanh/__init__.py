"""TANH (int8) → tg_tanh_s8: TFLite Micro's reference integer_ops::Tanh (gemmlowp fixed point).

The output is always on scale 1/128 with zero point 0: TFLM reads neither output parameter, so neither does
tinygen. The input is prepared as LOGISTIC's.
"""
from __future__ import annotations

from ..common import Arity, Layer, LowerContext, OpDef, elementwise_inplace, require_int8, require_per_tensor
from ..logistic import fixed_point_input


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x)
    return Layer(op, "logistic/logistic.c.j2", "tg_tanh_s8", (op.inputs[0],), (op.outputs[0],),
                 fixed_point_input(x), summary=f"TANH {list(x.shape)}",
                 inplace=elementwise_inplace(("tg_tanh_s8",), True))


def example(m, rng) -> bytes:
    x = m.tensor([1, 2, 16], scale=0.03, zero_point=-7)
    y = m.tensor([1, 2, 16], scale=1 / 128, zero_point=0)
    m.op("TANH", [x], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("TANH",), arity={"TANH": Arity(1)}, options={"TANH": None}, lower=lower, same_shape=True,
           example=example, header="tg_tanh.h")
