"""LEAKY_RELU (int8, int16) → tg_leaky_relu_s8 / _s16: TFLite's reference QuantizeLeakyRelu; float32 →
tg_leaky_relu_f32, its reference LeakyRelu (val > 0 ? val : val * alpha).

Prepare (leaky_relu_common.cc) computes two multipliers: the identity in_scale / out_scale for inputs at or
above the zero point, and alpha in_scale · alpha / out_scale below it. The tflite-micro package (the oracle)
computes them in double from the float32 scales and alpha (the mirror's source divides in float32 first; on
TFLM's seanet int16 models the float32 form misses 13 of 65536 inputs by one, the double form none). A negative
alpha gives a negative multiplier: the kernel scales by its magnitude and negates (the
magnitude fits int32: a float32 ratio has 24 significant bits, so its Q31 significand never rounds to -2^31).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import (TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, elementwise_inplace, require_float,
                      require_per_tensor, require_quantized, require_same_type)
from ...quant import quantize_multiplier


@dataclass(frozen=True)
class LeakyReluParams:
    size: int
    input_zero_point: int
    output_zero_point: int
    identity_mult: int
    identity_shift: int
    alpha_mult: int  # the magnitude of alpha's multiplier
    alpha_shift: int
    alpha_negative: bool


@dataclass(frozen=True)
class FloatLeakyReluParams:
    size: int
    alpha: float


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":  # TFLite's reference LeakyRelu
        x, _ = require_float(graph, op, op.inputs[0], op.outputs[0])
        alpha = float(np.float32(op.options.get("alpha", 0.0)))
        return Layer(op, "leaky_relu/leaky_relu_f32.c.j2", "tg_leaky_relu_f32", (op.inputs[0],), (op.outputs[0],),
                     FloatLeakyReluParams(x.size, alpha),
                     summary=f"LEAKY_RELU float32 {list(x.shape)}: alpha {alpha:g}",
                     inplace=elementwise_inplace(("tg_leaky_relu_f32",), True))
    x, y = require_quantized(graph, op, ("int8", "int16"), op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    require_same_type(op, x, y)
    alpha = float(np.float32(op.options.get("alpha", 0.0)))
    in_scale, out_scale = float(np.float32(x.scale)), float(np.float32(y.scale))
    alpha_mult, alpha_shift = quantize_multiplier(in_scale * alpha / out_scale)  # doubles: see the docstring
    identity_mult, identity_shift = quantize_multiplier(in_scale / out_scale)
    params = LeakyReluParams(x.size, x.zero_point, y.zero_point, identity_mult, identity_shift, abs(alpha_mult),
                             alpha_shift, alpha_mult < 0)
    kernel = f"tg_leaky_relu_{TYPE_SUFFIX[x.dtype]}"
    return Layer(op, "leaky_relu/leaky_relu.c.j2", kernel, (op.inputs[0],), (op.outputs[0],), params,
                 summary=f"LEAKY_RELU {x.dtype} {list(x.shape)}: alpha {alpha:g}",
                 inplace=elementwise_inplace((kernel,), True))


def example(m, rng) -> bytes:
    """A positive alpha, then a negative one (the kernel's other sign)."""
    x = m.tensor([1, 4, 5], scale=0.04, zero_point=-7)
    h = m.tensor([1, 4, 5], scale=0.03, zero_point=-40)
    m.op("LEAKY_RELU", [x], [h], alpha=0.2)
    y = m.tensor([1, 4, 5], scale=0.05, zero_point=-90)
    m.op("LEAKY_RELU", [h], [y], alpha=-0.7)
    return m.finish([x], [y])


OP = OpDef(kinds=("LEAKY_RELU",), arity={"LEAKY_RELU": Arity(1)}, options={"LEAKY_RELU": "LeakyReluOptions"},
           lower=lower, types=("int8", "int16", "float32"), same_shape=True, example=example, header="tg_leaky_relu.h")
