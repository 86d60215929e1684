"""ADD_N (int8) → tg_add_n_s8: TFLite's reference AddN for int8 as TFLM prepares it (micro/kernels/add_n.cc):
inputs of one shape, scale and zero point, each rescaled by ADD's arithmetic (left shift 20, multipliers for half
the input scale) and summed, the sum rescaled to the output. The reference starts the sum from the rescaled input
offset itself (x = input offset, not 0), and so does tinygen. float32 → tg_add_n_f32: AddN<float>, each sum from
0.0f in the inputs' order.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef, require_float, require_int8, require_per_tensor
from ...errors import TinygenError
from ...quant import quantize_multiplier_smaller_than_one_exp

LEFT_SHIFT = 20  # kAddNIntegerShift
MAX_INPUTS = 15  # (n + 1) rescaled values of at most 255 · 2^20 / 2 each stay within int32


@dataclass(frozen=True)
class AddNParams:
    size: int
    count: int
    input_offset: int
    input_mult: int
    input_shift: int
    output_offset: int
    output_mult: int
    output_shift: int


@dataclass(frozen=True)
class FloatAddNParams:
    size: int
    count: int


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.outputs[0]].dtype == "float32":
        *xs, y = require_float(graph, op, *op.inputs, op.outputs[0])
        if any(list(x.shape) != list(y.shape) for x in xs):
            raise TinygenError(f"ADD_N (operator {op.index}) adds inputs of different shapes; TFLite Micro refuses "
                               "that", "give every input the output's shape")
        return Layer(op, "add_n/add_n_f32.c.j2", "tg_add_n_f32", tuple(op.inputs), (op.outputs[0],),
                     FloatAddNParams(int(y.size), len(xs)), summary=f"ADD_N of {len(xs)} x {list(y.shape)} (float32)")
    x0, *rest = require_int8(graph, op, *op.inputs, op.outputs[0])
    xs, y = [x0] + rest[:-1], rest[-1]
    require_per_tensor(op, *xs, y)
    where = f"ADD_N (operator {op.index})"
    if any(list(x.shape) != list(x0.shape) or x.scale != x0.scale or x.zero_point != x0.zero_point for x in xs) \
            or list(y.shape) != list(x0.shape):
        raise TinygenError(f"{where} adds inputs of different shapes or quantization; TFLite Micro refuses that",
                           "give every input the shape, scale and zero point of the first")
    if len(xs) > MAX_INPUTS:
        raise TinygenError(f"{where} adds {len(xs)} inputs; more than {MAX_INPUTS} could overflow TFLite's int32 "
                           "sum", "add in several steps")
    twice = 2 * float(x0.scale)
    m_in, s_in = quantize_multiplier_smaller_than_one_exp(float(x0.scale) / twice)
    m_out, s_out = quantize_multiplier_smaller_than_one_exp(twice / ((1 << LEFT_SHIFT) * float(y.scale)))
    params = AddNParams(int(y.size), len(xs), -x0.zero_point, m_in, s_in, y.zero_point, m_out, s_out)
    return Layer(op, "add_n/add_n.c.j2", "tg_add_n_s8", tuple(op.inputs), (op.outputs[0],), params,
                 summary=f"ADD_N of {len(xs)} x {list(y.shape)}")


def example(m, rng) -> bytes:
    """x + relu(x) + a constant."""
    x = m.tensor([1, 3, 4], scale=0.05, zero_point=-6)
    r = m.tensor([1, 3, 4], scale=0.05, zero_point=-6)
    m.op("RELU", [x], [r])
    c = m.tensor([1, 3, 4], scale=0.05, zero_point=-6, data=rng.integers(-128, 128, (1, 3, 4)).astype(np.int8))
    y = m.tensor([1, 3, 4], scale=0.12, zero_point=2)
    m.op("ADD_N", [x, r, c], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("ADD_N",), arity={"ADD_N": Arity(2, None)}, options={"ADD_N": "AddNOptions"}, lower=lower,
           types=("int8", "float32"), example=example, header="tg_add_n.h")
