"""HARD_SWISH (int8) → tg_hard_swish_s8: TFLite's reference HardSwish with HardSwishParams (int16 fixed point).

Prepare (hard_swish_common.cc): from the "high-res" input scale in_scale / 128 (float32 arithmetic), a
multiplier to the output scale and one to the "relu-ish" scale 3 / 32768, each a QuantizeMultiplier Q31
significand rounded to Q15 (DownScaleInt32ToInt16Multiplier).
"""
from __future__ import annotations

import numpy as np

from ..errors import TinygenError
from ..quant import downscale_multiplier_to_int16, quantize_multiplier
from . import Layer, LowerContext, elementwise_inplace, require_int8, require_per_tensor


def hard_swish_params(input_scale: float, output_scale: float) -> dict:
    hires_input_scale = np.float32(1.0 / 128.0) * np.float32(input_scale)
    reluish_scale = np.float32(3.0) / np.float32(32768.0)
    out_m, out_exp = quantize_multiplier(float(hires_input_scale / np.float32(output_scale)))
    relu_m, relu_exp = quantize_multiplier(float(hires_input_scale / reluish_scale))
    return dict(reluish_mult=downscale_multiplier_to_int16(relu_m), reluish_exp=relu_exp,
                output_mult=downscale_multiplier_to_int16(out_m), output_exp=out_exp)


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_int8(graph, op, op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    params = hard_swish_params(x.scale, y.scale)
    where = f"HARD_SWISH (operator {op.index})"
    if params["output_exp"] > 0:
        raise TinygenError(f"{where}: input scale {x.scale:g} / 128 exceeds the output scale {y.scale:g}, "
                           "which TFLite Micro rejects", "re-quantize the model")
    if params["reluish_exp"] > 31:
        raise TinygenError(f"{where}: input scale {x.scale:g} is too large for TFLite's int16 hard-swish "
                           "(left shift beyond 31 bits)", "re-quantize the model")
    params.update(kernel="tg_hard_swish_s8", size=x.size, input_zero_point=x.zero_point, output_zero_point=y.zero_point)
    return Layer(op, "hard_swish", [op.inputs[0]], [op.outputs[0]], params,
                 summary=f"HARD_SWISH {list(x.shape)}", inplace=elementwise_inplace(("tg_hard_swish_s8",), True))
