"""DEPTH_TO_SPACE (int8, float32: TFLM's types) → tg_transpose_s8 (_f32): output (b, y, x, c) = input (b, y / s, x /
s, ((y % s) s + x % s) C + c) for block size s and output channels C, TFLite's reference DepthToSpace, walked as the
axes (b, y / s, y % s, x / s, x % s, c) of the output (b with y / s and x % s with c merge: 4 axes). SPACE_TO_DEPTH
(../space_to_depth) walks the inverse."""
from __future__ import annotations

from ..common import Arity, Layer, LowerContext, OpDef, require_copied
from ..transpose import strided_copy
from ...errors import TinygenError


def block_size(op, x, y, to_space: bool) -> int:
    """The block size, with the shapes TFLM's Prepare derives from it checked against the file's."""
    s = int(op.options.get("block_size", 0))
    n, h, w, c = (int(d) for d in x.shape) if len(x.shape) == 4 else (0, 0, 0, 0)
    if to_space:
        expected = [n, h * s, w * s, c // (s * s)] if s > 0 and c % (s * s) == 0 else None
    else:
        expected = [n, h // s, w // s, c * s * s] if s > 0 and h % s == 0 and w % s == 0 else None
    if expected is None or [int(d) for d in y.shape] != expected:
        raise TinygenError(f"{op.kind} (operator {op.index}) with block size {s} maps {list(x.shape)} to "
                           f"{list(y.shape)}", "the model file is corrupted; re-export it")
    return s


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_copied(graph, op, ("int8",), op.inputs[0], op.outputs[0])
    s = block_size(op, x, y, to_space=True)
    n, h, w, c = (int(d) for d in x.shape)
    oc = c // (s * s)
    # output order (b, iy, dy, ix, dx, c): input element (b, iy, ix, (dy s + dx) C + c)
    dims = [n, h, s, w, s, oc]
    strides = [h * w * c, w * c, s * oc, c, oc, 1]
    return strided_copy(graph, op, dims, strides, 0, f"DEPTH_TO_SPACE {[n, h, w, c]} block {s}")


def example(m, rng) -> bytes:
    x = m.tensor([2, 2, 3, 8], scale=0.05, zero_point=-1)
    y = m.tensor([2, 4, 6, 2], scale=0.05, zero_point=-1)
    m.op("DEPTH_TO_SPACE", [x], [y], block_size=2)
    return m.finish([x], [y])


OP = OpDef(kinds=("DEPTH_TO_SPACE",), types=("int8", "float32"),
           arity={"DEPTH_TO_SPACE": Arity(1)},
           options={"DEPTH_TO_SPACE": "DepthToSpaceOptions"}, lower=lower, example=example, header="tg_transpose.h")
