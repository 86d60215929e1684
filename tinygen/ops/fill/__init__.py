"""FILL (int8, float32) → tg_transpose_s8's (_f32's) walk with every stride 0: each output element a copy of the
scalar value; a constant value folds (the whole output is known at compile time).

TFLM's Prepare needs constant dims equal to the output's shape and a rank-0 value of the output's type; its
kernel fills float32, int32 and int8. tinygen folds any of them when the value is constant and compiles int8 and
float32 (a run-time value, or a constant one filling a model output); the value's bytes are copied, so it must be
quantized like the output.
"""
from __future__ import annotations

import numpy as np

from ..common import TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, require_copied, require_same_quantization
from ..transpose import walk
from ...errors import TinygenError

TFLM_TYPES = ("float32", "int32", "int8")  # fill.cc FillEval


def check(graph, op) -> None:
    """TFLM's Prepare checks."""
    where = f"FILL (operator {op.index})"
    dims, value, y = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]], graph.tensors[op.outputs[0]]
    if not dims.is_const or dims.dtype not in ("int8", "int16", "int32", "int64"):
        raise TinygenError(f"{where} has run-time or {dims.dtype} dims; TFLite Micro needs an integer constant",
                           "export the model with constant dims")
    if len(dims.shape) != 1 or [int(v) for v in dims.data.reshape(-1)] != [int(d) for d in y.shape]:
        raise TinygenError(f"{where} fills {list(y.shape)} from dims {dims.data.reshape(-1).tolist()}",
                           "the model file is corrupted; re-export it")
    if len(value.shape) != 0 or value.dtype != y.dtype or y.dtype not in TFLM_TYPES:
        raise TinygenError(f"{where} fills {y.dtype} from a {value.dtype} value of shape {list(value.shape)}; "
                           f"TFLite Micro fills {', '.join(TFLM_TYPES)} from a scalar of the output's type",
                           "the model file is corrupted; re-export it")


def lower(graph, op, ctx: LowerContext) -> Layer:
    check(graph, op)
    value, y = require_copied(graph, op, ("int8",), op.inputs[1], op.outputs[0])
    require_same_quantization(op, value, y)
    shape = [int(d) for d in y.shape]
    return Layer(op, "transpose/transpose.c.j2", "tg_transpose_" + TYPE_SUFFIX[y.dtype], (op.inputs[1],),
                 (op.outputs[0],), walk(op, shape, [0] * len(shape), 0), summary=f"FILL {shape}")


def fold(graph, op, args) -> np.ndarray | None:
    check(graph, op)
    value, y = graph.tensors[op.inputs[1]], graph.tensors[op.outputs[0]]
    if (value.quant is None) != (y.quant is None) or (y.quant is not None and (
            np.float64(value.scale) != np.float64(y.scale) or value.zero_point != y.zero_point)):
        return None  # left for the lowering to refuse
    return np.full([int(d) for d in y.shape], args[1].reshape(-1)[0], args[1].dtype)


def example(m, rng) -> bytes:
    """A run-time value (a pixel of the input, by a shrinking STRIDED_SLICE) filled into a map."""
    x = m.tensor([1, 2, 3], scale=0.05, zero_point=4)
    begin = m.tensor([3], "int32", data=np.array([0, 1, 2], np.int32))
    end = m.tensor([3], "int32", data=np.array([1, 2, 3], np.int32))
    strides = m.tensor([3], "int32", data=np.array([1, 1, 1], np.int32))
    v = m.tensor([], scale=0.05, zero_point=4)
    m.op("STRIDED_SLICE", [x, begin, end, strides], [v], shrink_axis_mask=7)
    dims = m.tensor([3], "int32", data=np.array([2, 3, 5], np.int32))
    y = m.tensor([2, 3, 5], scale=0.05, zero_point=4)
    m.op("FILL", [dims, v], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("FILL",), arity={"FILL": Arity(2)}, options={"FILL": "FillOptions"}, lower=lower, fold=fold,
           types=("int8", "float32"), example=example, header="tg_transpose.h")
