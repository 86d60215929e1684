"""DEQUANTIZE (int8 or int16 → float32, e.g. at a float model output) → tg_dequantize_s8_f32 / _s16_f32, as
TFLite Micro's reference Dequantize: (float)(double(scale) * (q - zero_point))."""
from __future__ import annotations

from ..common import TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, require_per_tensor, require_quantized
from ..quantize import QUANTIZED, AffineParams, example as quantize_example
from ...errors import TinygenError


def lower(graph, op, ctx: LowerContext) -> Layer:
    (x,) = require_quantized(graph, op, QUANTIZED, op.inputs[0])
    y = graph.tensors[op.outputs[0]]
    if y.dtype != "float32":
        raise TinygenError(f"DEQUANTIZE (operator {op.index}) writes {y.dtype}; tinygen dequantizes to float32",
                           "convert with float32 or int8 outputs")
    require_per_tensor(op, x)
    return Layer(op, "quantize/affine.c.j2", f"tg_dequantize_{TYPE_SUFFIX[x.dtype]}_f32", (op.inputs[0],),
                 (op.outputs[0],), AffineParams(x.size, x.scale, x.zero_point),
                 summary=f"DEQUANTIZE {x.dtype} {list(x.shape)} -> float32, scale {x.scale:g}, "
                         f"zero point {x.zero_point}")


OP = OpDef(kinds=("DEQUANTIZE",), arity={"DEQUANTIZE": Arity(1)}, options={"DEQUANTIZE": "DequantizeOptions"},
           lower=lower, types=("int8->float32", "int16->float32"), same_shape=True, example=quantize_example,
           header="tg_dequantize.h")
