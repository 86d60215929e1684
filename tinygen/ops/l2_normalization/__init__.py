"""L2_NORMALIZATION (int8) → tg_l2_normalization_s8: TFLite's reference_integer_ops::L2Normalization
(micro/kernels/l2norm.cc).

Per row of the last axis, the sum of (x - input zero point)² gives 1 / sqrt(sum) by
GetInvSqrtQuantizedMultiplierExp (in the kernel: the sum is known at run time only), and each x - zero point is
scaled by it and by 2^7, clamped to int8. TFLM reads no output quantization (the result is in 1/128 with zero
point 0 whatever the output tensor says), and neither does this. TFLM refuses a fused activation and rank > 4; a
row longer than 33025 could overflow the int32 sum (undefined in C), which is refused too.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..common import Arity, Layer, LowerContext, OpDef, elementwise_inplace, require_int8, require_per_tensor
from ...errors import TinygenError

MAX_DEPTH = (2**31 - 1) // (255 * 255)  # rows whose sum of squares fits int32


@dataclass(frozen=True)
class L2NormParams:
    outer: int
    depth: int
    input_zero_point: int


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x)
    where = f"L2_NORMALIZATION (operator {op.index})"
    if op.options.get("fused_activation_function", 0):
        raise TinygenError(f"{where} has a fused activation; TFLite Micro's L2_NORMALIZATION takes none",
                           "apply the activation as a separate operator")
    shape = [int(d) for d in x.shape]
    if not 1 <= len(shape) <= 4:
        raise TinygenError(f"{where} has a rank-{len(shape)} input; TFLite Micro normalizes ranks 1 to 4",
                           "reshape the input to rank 4 or less")
    depth = shape[-1]
    if depth > MAX_DEPTH:
        raise TinygenError(f"{where} normalizes rows of {depth} values; the int32 sum of squares of more than "
                           f"{MAX_DEPTH} can overflow", f"normalize rows of {MAX_DEPTH} values or fewer")
    outer = x.size // depth if depth else 0
    return Layer(op, "l2_normalization/l2_normalization.c.j2", "tg_l2_normalization_s8", (op.inputs[0],),
                 (op.outputs[0],), L2NormParams(outer, depth, x.zero_point),
                 summary=f"L2_NORMALIZATION {shape}", inplace=elementwise_inplace(("tg_l2_normalization_s8",), True))


def example(m, rng) -> bytes:
    """Rows of 6 of |x| normalized, in place of ABS's output (the output quantization 1/128, zero point 0, is
    what TFLM computes)."""
    x = m.tensor([1, 3, 4, 6], scale=0.05, zero_point=-7)
    h = m.tensor([1, 3, 4, 6], scale=0.04, zero_point=-100)
    m.op("ABS", [x], [h])
    y = m.tensor([1, 3, 4, 6], scale=1 / 128, zero_point=0)
    m.op("L2_NORMALIZATION", [h], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("L2_NORMALIZATION",), arity={"L2_NORMALIZATION": Arity(1)},
           options={"L2_NORMALIZATION": "L2NormOptions"}, lower=lower, same_shape=True, example=example,
           header="tg_l2_normalization.h")
