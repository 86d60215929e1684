"""L2_POOL_2D (float32; TFLM's kernel takes float32 only) → tg_l2_pool_f32, the float pooling kernel of
../pool2d: sqrtf of each window's mean square (TFLM's reference L2Pool), window clipped to the input, fused
activation clamp."""
from __future__ import annotations

from ..common import Arity, Layer, LowerContext, OpDef
from ..pool2d import lower_float
from ...errors import TinygenError


def lower(graph, op, ctx: LowerContext) -> Layer:
    x = graph.tensors[op.inputs[0]]
    if x.dtype != "float32":
        raise TinygenError(f"L2_POOL_2D (operator {op.index}) has {x.dtype} input '{x.name}'; TFLite Micro runs "
                           "L2_POOL_2D on float32 only", "keep the operator in float32")
    return lower_float(graph, op)


def example(m, rng) -> bytes:
    """2x2 VALID stride 2, then 3x3 SAME stride 1 with ReLU6."""
    x = m.tensor([1, 6, 6, 3], "float32")
    h = m.tensor([1, 3, 3, 3], "float32")
    m.op("L2_POOL_2D", [x], [h], padding=1, stride_w=2, stride_h=2, filter_width=2, filter_height=2)
    y = m.tensor([1, 3, 3, 3], "float32")
    m.op("L2_POOL_2D", [h], [y], padding=0, stride_w=1, stride_h=1, filter_width=3, filter_height=3,
         fused_activation_function=3)
    return m.finish([x], [y])


OP = OpDef(kinds=("L2_POOL_2D",), arity={"L2_POOL_2D": Arity(1)}, options={"L2_POOL_2D": "Pool2DOptions"},
           lower=lower, types=("float32",), example=example, header="tg_pool2d.h")
