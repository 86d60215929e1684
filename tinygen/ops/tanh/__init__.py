"""TANH (int8) → tg_tanh_s8: TFLite Micro's reference integer_ops::Tanh (gemmlowp fixed point); (int16) →
tg_tanh_s16: its interpolation in the sigmoid table.

The int8 output is always on scale 1/128 with zero point 0: TFLM reads neither output parameter, so neither does
tinygen. The input is prepared as LOGISTIC's (int16: a power-of-two shortcut also for an input scale of 2^-11).
"""
from __future__ import annotations

from ..common import (Arity, Layer, LowerContext, OpDef, elementwise_inplace, lower_float_elementwise,
                      require_per_tensor, require_quantized)
from ..logistic import fixed_point_input, table_input
from ...errors import TinygenError


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float_elementwise(graph, op)
    x, y = require_quantized(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
    require_per_tensor(op, x)
    if x.dtype != y.dtype:
        raise TinygenError(f"TANH (operator {op.index}) turns {x.dtype} into {y.dtype}; TFLite Micro requires one "
                           "type", "re-convert the model")
    if x.dtype == "int16":
        require_per_tensor(op, y)
        return Layer(op, "logistic/table.c.j2", "tg_tanh_s16", (op.inputs[0],), (op.outputs[0],),
                     table_input(op, x, y, (0, 1)), summary=f"TANH {list(x.shape)} int16",
                     inplace=elementwise_inplace(("tg_tanh_s16",), True))
    return Layer(op, "logistic/logistic.c.j2", "tg_tanh_s8", (op.inputs[0],), (op.outputs[0],),
                 fixed_point_input(x), summary=f"TANH {list(x.shape)}",
                 inplace=elementwise_inplace(("tg_tanh_s8",), True))


def example(m, rng) -> bytes:
    """int8, then int16 on the power-of-two input scale 2^-11."""
    x = m.tensor([1, 2, 16], scale=0.03, zero_point=-7)
    y8 = m.tensor([1, 2, 16], scale=1 / 128, zero_point=0)
    m.op("TANH", [x], [y8])
    x16 = m.tensor([1, 2, 16], "int16", scale=2.0 ** -11)
    m.op("QUANTIZE", [y8], [x16])
    y = m.tensor([1, 2, 16], "int16", scale=1 / 32768)
    m.op("TANH", [x16], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("TANH",), arity={"TANH": Arity(1)}, options={"TANH": None}, lower=lower, same_shape=True,
           types=("int8", "int16", "float32"), example=example, header="tg_tanh.h")
