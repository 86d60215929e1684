"""RSQRT (int8, int16) → tg_rsqrt_s8 / _s16: TFLM's RsqrtEvalQuantized (micro/kernels/elementwise.cc).

Per element, v = x - input zero point; 1 / sqrt(v) from GetInvSqrtQuantizedMultiplierExp (fixed point, in the
kernel: v is known at run time only) applied to 1 << 20, then rescaled by Prepare's 1 / (sqrt(in_scale) ·
out_scale) and shifted back by 20, plus the output zero point, clamped. The tflite-micro package (the oracle)
takes that square root and product in double (the mirrored source in float32, which misses int16 inputs by one).
v = 0 gives the type's maximum, as TFLM's. TFLM's Invoke fails on v < 0 ("Rsqrt is only defined for positive
values"); the generated code cannot fail, and returns the maximum there as for v = 0. int16 takes zero points 0
(TFLM's Prepare insists).
"""
from __future__ import annotations

import math

import numpy as np

from ..common import (TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, RequantizeParams, elementwise_inplace,
                      lower_float_elementwise, require_per_tensor, require_quantized, require_same_type)
from ...errors import TinygenError
from ...quant import quantize_multiplier


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float_elementwise(graph, op)
    x, y = require_quantized(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    require_same_type(op, x, y)
    if x.dtype == "int16" and (x.zero_point, y.zero_point) != (0, 0):
        raise TinygenError(f"RSQRT (operator {op.index}) has int16 zero points {x.zero_point} and {y.zero_point}; "
                           "TFLite Micro takes int16 RSQRT with zero points 0", "quantize int16 symmetrically")
    in_scale, out_scale = float(np.float32(x.scale)), float(np.float32(y.scale))
    mult, shift = quantize_multiplier(1.0 / (math.sqrt(in_scale) * out_scale))  # double: see the docstring
    kernel = f"tg_rsqrt_{TYPE_SUFFIX[x.dtype]}"
    return Layer(op, "abs/abs.c.j2", kernel, (op.inputs[0],), (op.outputs[0],),
                 RequantizeParams(x.size, x.zero_point, mult, shift, y.zero_point),
                 summary=f"RSQRT {x.dtype} {list(x.shape)}: scale {x.scale:g} -> {y.scale:g}",
                 inplace=elementwise_inplace((kernel,), True))


def example(m, rng) -> bytes:
    """RSQRT of |x| (ABS keeps it at or above the zero point -128, where TFLM runs RSQRT)."""
    x = m.tensor([1, 4, 6], scale=0.05, zero_point=-10)
    h = m.tensor([1, 4, 6], scale=0.04, zero_point=-128)
    m.op("ABS", [x], [h])
    y = m.tensor([1, 4, 6], scale=0.02, zero_point=-128)
    m.op("RSQRT", [h], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("RSQRT",), arity={"RSQRT": Arity(1)}, options={"RSQRT": None}, lower=lower,
           types=("int8", "int16", "float32"), same_shape=True, example=example, header="tg_rsqrt.h")
