"""DIV (int8) → tg_div_s8: TFLite's reference DivElementwise / BroadcastDivSlowQuantized (micro/kernels/div.cc),
operands broadcast as in MUL; float32 → tg_div_f32 (reference Div: the quotient through the activation's clamp).

Per element, x / y with x, y the inputs less their zero points (both negated when y < 0): 1 / y from
GetReciprocal, x normalised by its leading sign bits, then Prepare's multiplier s1 / (s2 · s_out) (in double, as
the oracle computes it; the mirrored source divides in float32) and one rounding right shift, plus the output
zero point, clamped to the fused activation.

TFLM's arithmetic leaves C++'s defined behaviour in two places, which the kernel reproduces as the tflite-micro
package (the oracle, an x86-64 build) computes them, in defined C: a right shift of 32 or more (a small quotient:
the mask is cut to int32 and the shift counts taken modulo 64 and 32), and a divisor at its zero point
(y = 0, only DCHECKed: GetReciprocal's shift by 32 gives 0, so 1 / y is one_over_one_plus_x(-1) and the shift
is -1; the kernel never divides). Multipliers whose shift could reach a left shift (above 2^22) are refused.
"""
from __future__ import annotations

import numpy as np

from ..add import broadcast_walk, lower_float_binary
from ..common import Activation, Arity, Layer, LowerContext, OpDef, require_int8, require_per_tensor
from ..mul import MulParams
from ...errors import TinygenError
from ...quant import INT8_MAX, INT8_MIN, activation_range, quantize_multiplier

# The fewest leading sign bits of an int8 difference (-255), with the smallest reciprocal shift (0, y = 1):
# an output shift above this would make the final shift a left shift, which TFLM's rounding division
# (MultiplyByQuantizedMultiplierSmallerThanOneExp) cannot take.
MAX_OUTPUT_SHIFT = 22


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.outputs[0]].dtype == "float32":
        return lower_float_binary(graph, op)  # tg_div_f32
    a, b, y = require_int8(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    require_per_tensor(op, a, b, y)
    shape, inplace = broadcast_walk(op, a, b, y, "tg_div_s8")
    real = float(np.float32(a.scale)) / (float(np.float32(b.scale)) * float(np.float32(y.scale)))
    mult, shift = quantize_multiplier(real)
    if shift > MAX_OUTPUT_SHIFT:
        raise TinygenError(f"DIV (operator {op.index}) rescales by {real:g} (shift {shift}); "
                           f"TFLite's integer DIV takes at most 2^{MAX_OUTPUT_SHIFT}",
                           "check the tensors' quantization scales; re-quantize the model")
    act = activation_range(op.options.get("fused_activation_function", 0), y.scale, y.zero_point, INT8_MIN,
                           INT8_MAX)
    params = MulParams(-a.zero_point, -b.zero_point, y.zero_point, mult, shift, Activation(*act), shape)
    how = f"{list(a.shape)} / {list(b.shape)}" if shape.broadcast else f"{y.size}"
    return Layer(op, "div/div.c.j2", "tg_div_s8", (op.inputs[0], op.inputs[1]), (op.outputs[0],), params,
                 summary=f"DIV {how}", inplace=inplace)


def example(m, rng) -> bytes:
    """x / constant row (broadcast, no constant value at its zero point), then that over x with ReLU."""
    x = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=-4)
    c = m.tensor([5], scale=0.03, zero_point=10, data=np.array([-128, -30, 9, 11, 127], np.int8))
    h = m.tensor([1, 3, 4, 5], scale=0.08, zero_point=-20)
    m.op("DIV", [x, c], [h])
    y = m.tensor([1, 3, 4, 5], scale=0.2, zero_point=-128)
    m.op("DIV", [h, x], [y], fused_activation_function=1)
    return m.finish([x], [y])


OP = OpDef(kinds=("DIV",), arity={"DIV": Arity(2)}, options={"DIV": "DivOptions"}, lower=lower,
           fuses_activation=True, types=("int8", "float32"), example=example, header="tg_div.h")
