"""REDUCE_MAX and REDUCE_MIN (int8, float32: TFLM's types) → tg_reduce_max_s8 / tg_reduce_min_s8 (_f32):
TFLite's ReduceGeneric with the max or min, over MEAN's loop nest (../mean). TFLM's int8 kernel refuses an output
whose scale or zero point differs from the input's; tinygen refuses it too."""
from __future__ import annotations

import numpy as np

from ..common import TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, require_copied, require_per_tensor
from ..mean import MeanParams, reduction
from ...errors import TinygenError

def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = require_copied(graph, op, ("int8",), op.inputs[0], op.outputs[0])
    require_per_tensor(op, x, y)
    if x.quant is not None and (x.scale != y.scale or x.zero_point != y.zero_point):
        raise TinygenError(f"{op.kind} (operator {op.index}) changes quantization; TFLite Micro refuses that",
                           "give the output the input's scale and zero point (the converter's default)")
    axes, _, kept, reduced = reduction(graph, op, x, y)
    params = MeanParams(tuple(n for n, _ in kept), tuple(s for _, s in kept), tuple(n for n, _ in reduced),
                        tuple(s for _, s in reduced), 0, 0, 0, 0)  # MEAN's template; no arithmetic
    kernel = f"tg_{op.kind.lower()}_{TYPE_SUFFIX[x.dtype]}"
    return Layer(op, "mean/mean.c.j2", kernel, (op.inputs[0],), (op.outputs[0],), params,
                 summary=f"{op.kind} {list(x.shape)} over axes {sorted(axes)} -> {list(y.shape)}")


def example(m, rng) -> bytes:
    """Max over rows and channels (two separate groups), then the min of what is left."""
    x = m.tensor([1, 5, 4, 6], scale=0.05, zero_point=-3)
    axes = m.tensor([2], "int32", data=np.array([1, 3], np.int32))
    h = m.tensor([1, 1, 4, 1], scale=0.05, zero_point=-3)
    m.op("REDUCE_MAX", [x, axes], [h], keep_dims=True)
    axis = m.tensor([1], "int32", data=np.array([-2], np.int32))
    y = m.tensor([1, 1, 1], scale=0.05, zero_point=-3)
    m.op("REDUCE_MIN", [h, axis], [y], keep_dims=False)
    return m.finish([x], [y])


OP = OpDef(kinds=("REDUCE_MAX", "REDUCE_MIN"), arity={"REDUCE_MAX": Arity(2), "REDUCE_MIN": Arity(2)},
           options={"REDUCE_MAX": "ReducerOptions", "REDUCE_MIN": "ReducerOptions"}, lower=lower,
           types=("int8", "float32"), example=example, header="tg_reduce_max.h")
