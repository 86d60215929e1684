"""SELECT_V2 (int8, int16, float32 values) → tg_select_s8 / _s16 / _f32: TFLite Micro's select.cc, output =
condition ? x : y, the three operands broadcast as numpy does (BroadcastSelect5DSlow; 5 dimensions once adjacent
ones merge).

TFLM copies the stored values whatever the tensors' quantization; they mean the same only when x, y and the
output share one scale and zero point (the converter gives them one), so tinygen refuses any other model.
TFLM registers no SELECT (TensorFlow's converter writes it for tf.where on operands of one shape): it is left
unsupported, as TFLM cannot run it.
"""
from __future__ import annotations

import numpy as np

from ..common import (TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, broadcast_loop, elementwise_inplace,
                      require_float, require_per_tensor, require_quantized)
from ..logical import require_bool
from ...errors import TinygenError


def require_operands(graph, op):
    """The bool condition, and values and output of one type and one quantization."""
    (condition,) = require_bool(graph, op, op.inputs[0])
    if graph.tensors[op.outputs[0]].dtype == "float32":
        return (condition, *require_float(graph, op, op.inputs[1], op.inputs[2], op.outputs[0]))
    x, y, out = require_quantized(graph, op, ("int8", "int16"), op.inputs[1], op.inputs[2], op.outputs[0])
    require_per_tensor(op, x, y, out)
    if not x.dtype == y.dtype == out.dtype:
        raise TinygenError(f"{op.kind} (operator {op.index}) mixes {x.dtype}, {y.dtype} and {out.dtype}",
                           "the model file is inconsistent; re-export it")
    quants = [(t.scale, t.zero_point) for t in (x, y, out)]
    if len(set(quants)) > 1:
        raise TinygenError(f"{op.kind} (operator {op.index}) has values and output of different quantizations "
                           f"(scale, zero point) {quants}; TFLM copies the stored values unchanged",
                           "give x, y and the output one quantization (TensorFlow's converter does)")
    return condition, x, y, out


def lower(graph, op, ctx: LowerContext) -> Layer:
    condition, x, y, out = require_operands(graph, op)
    walk = broadcast_loop(op, (condition, x, y), out)
    kernel = "tg_select_" + TYPE_SUFFIX[out.dtype]
    same = [walk.same_as_output(k) for k in range(3)]
    how = f"{out.size}" if walk.flat else ", ".join(str(list(t.shape)) for t in (condition, x, y))
    return Layer(op, "select/select.c.j2", kernel, tuple(op.inputs[:3]), (op.outputs[0],), walk,
                 summary=f"SELECT_V2 {out.dtype} {how}",
                 inplace=elementwise_inplace((kernel,), same[0] and out.dtype == "int8", same[1], same[2]))


def fold(graph, op, args):
    """Constant operands select at compile time, where the lowering would accept them (else it refuses)."""
    try:
        require_operands(graph, op)
    except TinygenError:
        return None
    return np.where(np.asarray(args[0]).astype(bool), args[1], args[2])


def example(m, rng) -> bytes:
    """where(x > a constant row, x, a broadcast constant column): broadcast over all three operands."""
    x = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=-4)
    row = m.tensor([5], scale=0.05, zero_point=-4, data=rng.integers(-128, 128, 5).astype(np.int8))
    condition = m.tensor([1, 3, 4, 5], "bool")
    m.op("GREATER", [x, row], [condition])
    column = m.tensor([1, 3, 1, 1], scale=0.05, zero_point=-4,
                      data=rng.integers(-128, 128, (1, 3, 1, 1)).astype(np.int8))
    y = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=-4)
    m.op("SELECT_V2", [condition, x, column], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("SELECT_V2",), arity={"SELECT_V2": Arity(3)}, options={"SELECT_V2": "SelectV2Options"},
           lower=lower, fold=fold, types=("int8", "int16", "float32"), example=example, header="tg_select.h")
