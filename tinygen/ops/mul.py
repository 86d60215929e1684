"""MUL (int8) → tg_elementwise_mul_s8 when the operands have the output's shape, else tg_broadcast_mul_s8.

One multiplier, QuantizeMultiplier((double)s1 * (double)s2 / (double)s_out), as TFLM's
micro/kernels/mul_common.cc CalculateOpDataMul.
"""
from __future__ import annotations

from ..quant import activation_range, quantize_multiplier
from . import Layer, LowerContext, broadcast_nhwc, elementwise_inplace, require_int8, require_per_tensor


def lower(graph, op, ctx: LowerContext) -> Layer:
    a, b, y = require_int8(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    require_per_tensor(op, a, b, y)
    da, db, dy = broadcast_nhwc(op, a, b, y)
    mult, shift = quantize_multiplier(a.scale * b.scale / y.scale)
    act_min, act_max = activation_range(op.options.get("fused_activation_function", 0), y.scale, y.zero_point)
    params = dict(in1_offset=-a.zero_point, in2_offset=-b.zero_point, out_offset=y.zero_point, out_mult=mult,
                  out_shift=shift, act_min=act_min, act_max=act_max, size=y.size,
                  broadcast=not (da == db == dy), dims1=da, dims2=db, dims_out=dy)
    params["kernel"] = "tg_broadcast_mul_s8" if params["broadcast"] else "tg_elementwise_mul_s8"
    how = f"{list(a.shape)} * {list(b.shape)}" if params["broadcast"] else f"{y.size}"
    # CMSIS-NN's arm_elementwise_mul_s8 also writes each element (group of 4, Helium lanes) after reading it.
    inplace = elementwise_inplace((params["kernel"], "arm_elementwise_mul_s8"), da == dy, db == dy)
    return Layer(op, "mul", [op.inputs[0], op.inputs[1]], [op.outputs[0]], params, macs=y.size,
                 summary=f"MUL {how}", inplace=inplace)
