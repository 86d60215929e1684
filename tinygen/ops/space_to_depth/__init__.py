"""SPACE_TO_DEPTH (int8, float32: TFLM's types) → tg_transpose_s8 (_f32): output (b, y, x, (dy s + dx) C + c) =
input (b, y s + dy, x s + dx, c) for block size s and input channels C, TFLite's reference SpaceToDepth, walked as
the axes (b, y, x, dy, dx, c) of the output (b with y and dx with c merge: 4 axes)."""
from __future__ import annotations

from ..common import Arity, Layer, LowerContext, OpDef, require_copied
from ..depth_to_space import block_size
from ..transpose import strided_copy


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_copied(graph, op, ("int8",), op.inputs[0], op.outputs[0])
    s = block_size(op, x, y, to_space=False)
    n, h, w, c = (int(d) for d in x.shape)
    dims = [n, h // s, w // s, s, s, c]
    strides = [h * w * c, s * w * c, s * c, w * c, c, 1]
    return strided_copy(graph, op, dims, strides, 0, f"SPACE_TO_DEPTH {[n, h, w, c]} block {s}")


def example(m, rng) -> bytes:
    x = m.tensor([1, 6, 4, 3], scale=0.05, zero_point=4)
    y = m.tensor([1, 3, 2, 12], scale=0.05, zero_point=4)
    m.op("SPACE_TO_DEPTH", [x], [y], block_size=2)
    return m.finish([x], [y])


OP = OpDef(kinds=("SPACE_TO_DEPTH",), types=("int8", "float32"),
           arity={"SPACE_TO_DEPTH": Arity(1)},
           options={"SPACE_TO_DEPTH": "SpaceToDepthOptions"}, lower=lower, example=example, header="tg_transpose.h")
