"""MAXIMUM / MINIMUM (int8, int16, int32, float32: TFLM's types but int64) → tg_maximum_<type> / tg_minimum_<type>:
TFLite's reference MaximumMinimumBroadcastSlow.

TFLM has no Prepare for them: the kernel compares the stored int8 values whatever the tensors' quantization
(the converter gives inputs and output one quantization, where that is the real maximum), so tinygen compares
them too. Operands broadcast as in ADD; equal shapes walk one flat run. CMSIS-NN's arm_maximum_s8 / _minimum_s8
where exact (cmsis_nn.py).
"""
from __future__ import annotations

import numpy as np

from . import cmsis_nn
from ..add import broadcast_walk
from ..common import (TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, require_float, require_per_tensor,
                      require_quantized, require_same_type)

TYPES = ("int8", "int16", "int32")  # quantized (int32: as the converter leaves index arithmetic), and float32


def lower(graph, op, ctx: LowerContext) -> Layer:
    a, b, y = _operands(graph, op)
    kernel = f"tg_{op.kind.lower()}_{TYPE_SUFFIX[y.dtype]}"
    shape, inplace = broadcast_walk(op, a, b, y, kernel)
    how = f"{list(a.shape)}, {list(b.shape)}" if shape.broadcast else f"{y.size}"
    return Layer(op, "binary_dims.c.j2", kernel, (op.inputs[0], op.inputs[1]),
                 (op.outputs[0],), shape, summary=f"{op.kind} {how}", inplace=inplace)


def _operands(graph, op):
    """Both inputs and the output, of one type: float32, or quantized per tensor; an int32 may be unquantized
    (shape and index arithmetic)."""
    tensors = [graph.tensors[t] for t in (op.inputs[0], op.inputs[1], op.outputs[0])]
    if tensors[2].dtype == "float32":
        return require_float(graph, op, *(t.index for t in tensors))
    if tensors[2].dtype == "int32" and all(t.dtype == "int32" and t.quant is None for t in tensors):
        return tensors
    a, b, y = require_quantized(graph, op, TYPES, *(t.index for t in tensors))
    require_same_type(op, a, y)
    require_same_type(op, b, y)
    require_per_tensor(op, a, b, y)
    return a, b, y


def fold(graph, op, args) -> np.ndarray:
    return (np.maximum if op.kind == "MAXIMUM" else np.minimum)(args[0], args[1])


def example(m, rng) -> bytes:
    """MAXIMUM of the input and a broadcast constant row, then MINIMUM of that and the input (same shapes)."""
    x = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=-4)
    c = m.tensor([5], scale=0.05, zero_point=-4, data=rng.integers(-128, 128, 5).astype(np.int8))
    h = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=-4)
    m.op("MAXIMUM", [x, c], [h])
    y = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=-4)
    m.op("MINIMUM", [h, x], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("MAXIMUM", "MINIMUM"), arity={"MAXIMUM": Arity(2), "MINIMUM": Arity(2)},
           options={"MAXIMUM": "MaximumMinimumOptions", "MINIMUM": "MaximumMinimumOptions"}, lower=lower, fold=fold,
           backends={"cmsis-nn": cmsis_nn.retarget}, types=("int8", "int16", "int32", "float32"), example=example,
           header="tg_maximum_minimum.h")
