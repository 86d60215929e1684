"""ADD (int8) → tg_elementwise_add_s8 when the operands have the output's shape, else tg_broadcast_add_s8.

Parameters as TFLM's micro/kernels/add_common.cc CalculateOpDataAdd computes them, in double precision:
both inputs are rescaled to twice the larger input scale with 20 bits of headroom, summed, then rescaled
to the output.
"""
from __future__ import annotations

from ..quant import activation_range, quantize_multiplier_smaller_than_one_exp
from . import Layer, LowerContext, broadcast_nhwc, elementwise_inplace, require_int8, require_per_tensor

LEFT_SHIFT = 20  # int8 (16-bit activations would use 15)


def lower(graph, op, ctx: LowerContext) -> Layer:
    a, b, y = require_int8(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    require_per_tensor(op, a, b, y)
    da, db, dy = broadcast_nhwc(op, a, b, y)
    twice_max_input_scale = 2 * max(a.scale, b.scale)
    m1, s1 = quantize_multiplier_smaller_than_one_exp(a.scale / twice_max_input_scale)
    m2, s2 = quantize_multiplier_smaller_than_one_exp(b.scale / twice_max_input_scale)
    mo, so = quantize_multiplier_smaller_than_one_exp(twice_max_input_scale / ((1 << LEFT_SHIFT) * y.scale))
    act_min, act_max = activation_range(op.options.get("fused_activation_function", 0), y.scale, y.zero_point)
    params = dict(in1_offset=-a.zero_point, in1_mult=m1, in1_shift=s1, in2_offset=-b.zero_point, in2_mult=m2,
                  in2_shift=s2, left_shift=LEFT_SHIFT, out_offset=y.zero_point, out_mult=mo, out_shift=so,
                  act_min=act_min, act_max=act_max, size=y.size, broadcast=not (da == db == dy),
                  dims1=da, dims2=db, dims_out=dy)
    params["kernel"] = "tg_broadcast_add_s8" if params["broadcast"] else "tg_elementwise_add_s8"
    how = f"{list(a.shape)} + {list(b.shape)}" if params["broadcast"] else f"{y.size}"
    # CMSIS-NN's arm_elementwise_add_s8 also writes each element (group of 4, Helium lanes) after reading it.
    inplace = elementwise_inplace((params["kernel"], "arm_elementwise_add_s8"), da == dy, db == dy)
    return Layer(op, "add", [op.inputs[0], op.inputs[1]], [op.outputs[0]], params, summary=f"ADD {how}",
                 inplace=inplace)
