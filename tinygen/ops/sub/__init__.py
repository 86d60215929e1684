"""SUB (int8, int16) → tg_sub_s8 / _s16 (same shapes) or tg_broadcast_sub_s8 / _s16: TFLite's reference
SubElementwise / BroadcastQuantSubSlow.

CalculateOpDataSub prepares ADD's parameters (twice the larger input scale, 20 bits of headroom), then the
kernel subtracts the rescaled inputs instead of adding them. TFLM's sub_common.cc divides the scales in float32,
but the tflite-micro package (the oracle) matches ADD's double arithmetic and not float32's (checked on scales
where the two differ: the example below is one), so SUB takes ADD's parameters.
"""
from __future__ import annotations

import numpy as np

from ..add import AddLayer, Elementwise, add_params, lower_float_binary, require_operands
from ..common import TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, broadcast_nhwc, elementwise_inplace


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float_binary(graph, op)
    a, b, y = require_operands(graph, op)
    shape = Elementwise(y.size, *broadcast_nhwc(op, a, b, y))
    kernel = ("tg_broadcast_sub_" if shape.broadcast else "tg_sub_") + TYPE_SUFFIX[y.dtype]
    how = f"{list(a.shape)} - {list(b.shape)}" if shape.broadcast else f"{y.size}"
    # Element i of each input is read just before element i of the output is written.
    inplace = elementwise_inplace((kernel,), shape.dims1 == shape.dims_out, shape.dims2 == shape.dims_out)
    return Layer(op, "sub/sub.c.j2", kernel, (op.inputs[0], op.inputs[1]), (op.outputs[0],),
                 AddLayer(add_params(graph, op), shape), summary=f"SUB {how}", inplace=inplace)


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
           fuses_activation=True, types=("int8", "int16", "float32"), example=example, header="tg_sub.h")
