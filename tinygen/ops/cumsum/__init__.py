"""CUMSUM (int8, constant axis) → tg_cumsum_s8: TFLite's reference_ops::CumSum, quantized
(micro/kernels/cumsum.cc).

Prepare rescales as ADD does with one operand: each x - zero point shifted left by 20 and multiplied by 1/2, the
running sum by 2 · s_in / (2^20 · s_out) (both in double, QuantizeMultiplierSmallerThanOneExp; TFLM aborts on a
ratio s_in / s_out of 2^19 or more, refused), plus the output zero point, clamped to int8. TFLM's sum starts
from the input offset (-zero point), rescaled, where its comment says 0: reproduced. The int32 sum (2^19 per
unit of x - zero point) can pass int32 on rows of more than 16 values, where TFLM's adds wrap on every target
it runs on: the kernel wraps the same way, in defined C.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef, elementwise_inplace, require_int8, require_per_tensor
from ..mean import constant_axes
from ...errors import TinygenError
from ...quant import quantize_multiplier_smaller_than_one_exp

LEFT_SHIFT = 20  # TFLM's kCumSumIntegerShift


@dataclass(frozen=True)
class CumsumParams:
    outer: int  # elements before the axis
    depth: int
    inner: int  # elements after it
    exclusive: bool
    reverse: bool
    input_offset: int
    input_mult: int
    input_shift: int
    output_mult: int
    output_shift: int
    output_offset: int


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    where = f"CUMSUM (operator {op.index})"
    if graph.tensors[op.inputs[1]].size != 1:
        raise TinygenError(f"{where} has {graph.tensors[op.inputs[1]].size} axes; TFLite Micro sums along one",
                           "the model file is corrupted; re-export it")
    shape = [int(d) for d in x.shape]
    if not shape:
        raise TinygenError(f"{where} has a scalar input; TFLite Micro sums tensors of rank 1 or more",
                           "reshape the input to rank 1")
    (axis,) = constant_axes(graph, op, x)
    in_scale, out_scale = float(np.float32(x.scale)), float(np.float32(y.scale))
    twice_input_scale = 2 * in_scale
    input_mult, input_shift = quantize_multiplier_smaller_than_one_exp(in_scale / twice_input_scale)
    output_mult, output_shift = quantize_multiplier_smaller_than_one_exp(
        twice_input_scale / ((1 << LEFT_SHIFT) * out_scale))
    params = CumsumParams(int(np.prod(shape[:axis], dtype=np.int64)), shape[axis],
                          int(np.prod(shape[axis + 1:], dtype=np.int64)), bool(op.options.get("exclusive", False)),
                          bool(op.options.get("reverse", False)), -x.zero_point, input_mult, input_shift, output_mult,
                          output_shift, y.zero_point)
    how = "".join(f", {k}" for k in ("exclusive", "reverse") if getattr(params, k))
    return Layer(op, "cumsum/cumsum.c.j2", "tg_cumsum_s8", (op.inputs[0],), (op.outputs[0],), params,
                 summary=f"CUMSUM {shape} axis {axis}{how}", inplace=elementwise_inplace(("tg_cumsum_s8",), True))


def example(m, rng) -> bytes:
    """An inclusive running sum along axis 1, then an exclusive, reversed one along the last axis."""
    x = m.tensor([1, 4, 6], scale=0.05, zero_point=-10)
    a1 = m.tensor([1], dtype="int32", data=np.array([1], np.int32))
    h = m.tensor([1, 4, 6], scale=0.15, zero_point=-30)
    m.op("CUMSUM", [x, a1], [h])
    a2 = m.tensor([1], dtype="int32", data=np.array([-1], np.int32))
    y = m.tensor([1, 4, 6], scale=0.5, zero_point=5)
    m.op("CUMSUM", [h, a2], [y], exclusive=True, reverse=True)
    return m.finish([x], [y])


OP = OpDef(kinds=("CUMSUM",), arity={"CUMSUM": Arity(2)}, options={"CUMSUM": "CumsumOptions"}, lower=lower,
           same_shape=True, example=example, header="tg_cumsum.h")
