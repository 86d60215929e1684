"""SUB (int8) → tg_sub_s8 (same shapes) or tg_broadcast_sub_s8: TFLite's reference SubElementwise /
BroadcastQuantSubSlow.

TFLM's CalculateOpDataSub prepares ADD's parameters (twice the larger input scale, 20 bits of headroom) but in
float32 arithmetic where ADD's are double, then subtracts the rescaled inputs instead of adding them.
"""
from __future__ import annotations

import numpy as np

from ...quant import activation_range, quantize_multiplier_smaller_than_one_exp
from ..add import LEFT_SHIFT, AddLayer, AddParams, Elementwise
from ..common import (Activation, Arity, Layer, LowerContext, OpDef, broadcast_nhwc, elementwise_inplace,
                      require_int8, require_per_tensor)


def sub_params(a, b, y, activation: int) -> AddParams:
    s1, s2, so = np.float32(a.scale), np.float32(b.scale), np.float32(y.scale)
    twice_max_input_scale = np.float32(2) * max(s1, s2)
    m1, sh1 = quantize_multiplier_smaller_than_one_exp(float(s1 / twice_max_input_scale))
    m2, sh2 = quantize_multiplier_smaller_than_one_exp(float(s2 / twice_max_input_scale))
    mo, sho = quantize_multiplier_smaller_than_one_exp(
        float(twice_max_input_scale / (np.float32(1 << LEFT_SHIFT) * so)))
    act = Activation(*activation_range(activation, y.scale, y.zero_point))
    return AddParams(-a.zero_point, m1, sh1, -b.zero_point, m2, sh2, LEFT_SHIFT, y.zero_point, mo, sho, act)


def lower(graph, op, ctx: LowerContext) -> Layer:
    a, b, y = require_int8(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    require_per_tensor(op, a, b, y)
    shape = Elementwise(y.size, *broadcast_nhwc(op, a, b, y))
    kernel = "tg_broadcast_sub_s8" if shape.broadcast else "tg_sub_s8"
    how = f"{list(a.shape)} - {list(b.shape)}" if shape.broadcast else f"{y.size}"
    params = sub_params(a, b, y, op.options.get("fused_activation_function", 0))
    # Element i of each input is read just before element i of the output is written.
    inplace = elementwise_inplace((kernel,), shape.dims1 == shape.dims_out, shape.dims2 == shape.dims_out)
    return Layer(op, "sub/sub.c.j2", kernel, (op.inputs[0], op.inputs[1]), (op.outputs[0],),
                 AddLayer(params, shape), summary=f"SUB {how}", inplace=inplace)


def example(m, rng) -> bytes:
    """[1,4,4,3] - [3] (broadcast), then the input minus that (elementwise, ReLU fused)."""
    x = m.tensor([1, 4, 4, 3], scale=0.05, zero_point=-3)
    c = m.tensor([3], scale=0.02, zero_point=4, data=rng.integers(-128, 128, 3).astype(np.int8))
    h = m.tensor([1, 4, 4, 3], scale=0.07, zero_point=2)
    m.op("SUB", [x, c], [h])
    y = m.tensor([1, 4, 4, 3], scale=0.04, zero_point=-128)
    m.op("SUB", [x, h], [y], fused_activation_function=1)
    return m.finish([x], [y])


OP = OpDef(kinds=("SUB",), arity={"SUB": Arity(2)}, options={"SUB": "SubOptions"}, lower=lower,
           fuses_activation=True, example=example, header="tg_sub.h")
