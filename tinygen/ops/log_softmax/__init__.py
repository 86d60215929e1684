"""LOG_SOFTMAX over the last axis (int8) → tg_log_softmax_s8: TFLite's reference LogSoftmaxQuantized
(micro/kernels/log_softmax.cc).

Prepare's PreprocessLogSoftmaxScalingExp (beta 1, 5 integer bits) gives the Q5.26 input multiplier and left shift
(SOFTMAX's softmax_params, which also gives diff_min) and the inverse rescale (1 << (31 - left shift)) / multiplier
as a multiplier below one. TFLM insists on the output's scale 16/256 and zero point 127. Rows of 4096 or more
could overflow the Q12.19 sum of exponentials (undefined in C): refused.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import (Arity, Layer, LowerContext, OpDef, elementwise_inplace, require_int8, require_per_tensor,
                      require_same_type)
from ...errors import TinygenError
from ...quant import quantize_multiplier_smaller_than_one_exp, softmax_params

OUTPUT_SCALE, OUTPUT_ZERO_POINT = np.float32(16.0 / 256), 127
MAX_DEPTH = 4095  # rows whose sum of exponentials (each at most 2^19 in Q12.19) fits int32


@dataclass(frozen=True)
class LogSoftmaxParams:
    rows: int
    depth: int
    input_multiplier: int
    input_left_shift: int
    reverse_scaling_divisor: int
    reverse_scaling_shift: int
    diff_min: int


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    require_same_type(op, x, y)
    where = f"LOG_SOFTMAX (operator {op.index})"
    if np.float32(y.scale) != OUTPUT_SCALE or y.zero_point != OUTPUT_ZERO_POINT:
        raise TinygenError(f"{where} has output scale {y.scale:g}, zero point {y.zero_point}; TFLite Micro takes "
                           "scale 16/256, zero point 127", "convert with TensorFlow's int8 converter")
    shape = [int(d) for d in x.shape]
    depth = shape[-1] if shape else 1
    if depth > MAX_DEPTH:
        raise TinygenError(f"{where} has rows of {depth} values; the int32 sum of exponentials of more than "
                           f"{MAX_DEPTH} can overflow", f"apply LOG_SOFTMAX to rows of {MAX_DEPTH} values or fewer")
    mult, left_shift, diff_min = softmax_params(1.0, float(np.float32(x.scale)))
    reverse_divisor, reverse_shift = quantize_multiplier_smaller_than_one_exp((1 << (31 - left_shift)) / mult)
    params = LogSoftmaxParams(x.size // depth if depth else 0, depth, mult, left_shift, reverse_divisor,
                              reverse_shift, diff_min)
    return Layer(op, "log_softmax/log_softmax.c.j2", "tg_log_softmax_s8", (op.inputs[0],), (op.outputs[0],),
                 params, summary=f"LOG_SOFTMAX {shape}", inplace=elementwise_inplace(("tg_log_softmax_s8",), True))


def example(m, rng) -> bytes:
    """LOG_SOFTMAX of |x| over rows of 10, in place of ABS's output."""
    x = m.tensor([1, 3, 10], scale=0.1, zero_point=-5)
    h = m.tensor([1, 3, 10], scale=0.07, zero_point=-128)
    m.op("ABS", [x], [h])
    y = m.tensor([1, 3, 10], scale=16 / 256, zero_point=127)
    m.op("LOG_SOFTMAX", [h], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("LOG_SOFTMAX",), arity={"LOG_SOFTMAX": Arity(1)}, options={"LOG_SOFTMAX": "LogSoftmaxOptions"},
           lower=lower, same_shape=True, example=example, header="tg_log_softmax.h")
