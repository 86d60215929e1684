"""HARD_SWISH (int8) → tg_hard_swish_s8: TFLite's reference HardSwish with HardSwishParams (int16 fixed point);
float32 → tg_hard_swish_f32, the reference HardSwish<float>.

Prepare (hard_swish_common.cc): from the "high-res" input scale in_scale / 128 (float32 arithmetic), a
multiplier to the output scale and one to the "relu-ish" scale 3 / 32768, each a QuantizeMultiplier Q31
significand rounded to Q15 (DownScaleInt32ToInt16Multiplier).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import (Arity, Layer, LowerContext, OpDef, elementwise_inplace, lower_float_elementwise, require_int8,
                      require_per_tensor)
from ...errors import TinygenError
from ...quant import downscale_multiplier_to_int16, quantize_multiplier


@dataclass(frozen=True)
class HardSwishParams:
    size: int
    input_zero_point: int
    output_zero_point: int
    reluish_mult: int
    reluish_exp: int
    output_mult: int
    output_exp: int


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float_elementwise(graph, op)  # tg_hard_swish_f32
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    hires_input_scale = np.float32(1.0 / 128.0) * np.float32(x.scale)
    reluish_scale = np.float32(3.0) / np.float32(32768.0)
    out_m, out_exp = quantize_multiplier(float(hires_input_scale / np.float32(y.scale)))
    relu_m, relu_exp = quantize_multiplier(float(hires_input_scale / reluish_scale))
    where = f"HARD_SWISH (operator {op.index})"
    if out_exp > 0:
        raise TinygenError(f"{where}: input scale {x.scale:g} / 128 exceeds the output scale {y.scale:g}, "
                           "which TFLite Micro rejects", "re-quantize the model")
    if relu_exp > 31:
        raise TinygenError(f"{where}: input scale {x.scale:g} is too large for TFLite's int16 hard-swish "
                           "(left shift beyond 31 bits)", "re-quantize the model")
    params = HardSwishParams(x.size, x.zero_point, y.zero_point, downscale_multiplier_to_int16(relu_m), relu_exp,
                             downscale_multiplier_to_int16(out_m), out_exp)
    return Layer(op, "hard_swish/hard_swish.c.j2", "tg_hard_swish_s8", (op.inputs[0],), (op.outputs[0],), params,
                 summary=f"HARD_SWISH {list(x.shape)}", inplace=elementwise_inplace(("tg_hard_swish_s8",), True))


def example(m, rng) -> bytes:
    x = m.tensor([1, 3, 3, 4], scale=0.05, zero_point=-20)
    y = m.tensor([1, 3, 3, 4], scale=0.03, zero_point=-110)
    m.op("HARD_SWISH", [x], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("HARD_SWISH",), arity={"HARD_SWISH": Arity(1)}, options={"HARD_SWISH": "HardSwishOptions"},
           lower=lower, same_shape=True, types=("int8", "float32"), example=example, header="tg_hard_swish.h")
