"""EXPAND_DIMS: a size-1 axis inserted, same bytes: an alias of its input (no code) wherever the memory plan
allows.

TFLM's Prepare takes one constant int32 axis in [-(rank + 1), rank] (negative counting from the end of the
output) and checks the output is the input with a 1 there.
"""
from __future__ import annotations

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef
from ..reshape import alias_layer, fold
from ...errors import TinygenError


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, axis, y = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]], graph.tensors[op.outputs[0]]
    where = f"EXPAND_DIMS (operator {op.index})"
    if not axis.is_const or axis.dtype != "int32" or axis.size != 1 or len(axis.shape) > 1:
        raise TinygenError(f"{where} needs one constant int32 axis (has {axis.dtype} {list(axis.shape)}"
                           f"{'' if axis.is_const else ', computed at run time'}), as TFLite Micro does",
                           "export the model with a constant int32 axis")
    shape = [int(d) for d in x.shape]
    value = int(axis.data.reshape(-1)[0])
    at = value + len(shape) + 1 if value < 0 else value
    expected = shape[:at] + [1] + shape[at:]
    if not 0 <= at <= len(shape) or expected != [int(d) for d in y.shape]:
        raise TinygenError(f"{where} expands {shape} at axis {value} into {list(y.shape)}",
                           "the model file is corrupted; re-export it")
    return alias_layer(graph, op, f"EXPAND_DIMS {shape} -> {expected}")


def example(m, rng) -> bytes:
    """An axis inserted between two operators (an alias), then one counted from the end, input to output."""
    x = m.tensor([2, 6], scale=0.04, zero_point=-3)
    h = m.tensor([2, 6], scale=0.04, zero_point=-3)
    m.op("RELU6", [x], [h])
    first = m.tensor([], "int32", data=np.array(1, np.int32))
    e = m.tensor([2, 1, 6], scale=0.04, zero_point=-3)
    m.op("EXPAND_DIMS", [h, first], [e])
    t = m.tensor([2, 1, 6], scale=0.04, zero_point=-3)
    m.op("RELU6", [e], [t])
    last = m.tensor([1], "int32", data=np.array([-1], np.int32))
    y = m.tensor([2, 1, 6, 1], scale=0.04, zero_point=-3)
    m.op("EXPAND_DIMS", [t, last], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("EXPAND_DIMS",), types=("int8", "int16", "float32"),
           arity={"EXPAND_DIMS": Arity(2)}, options={"EXPAND_DIMS": "ExpandDimsOptions"},
           lower=lower, fold=fold, example=example)
