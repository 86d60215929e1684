"""ARG_MAX and ARG_MIN (int8 input, int32 output) → tg_arg_max_s8 / tg_arg_min_s8.

TFLite's reference ArgMinMax as TFLM registers it: int8 (or float32) values, a constant int32 axis, int32
indices (TFLM refuses an int64 output, the TensorFlow default, and so does tinygen). The raw int8 values are
compared (a positive scale keeps their order); a tie keeps the first index, since only a strictly greater (less)
value replaces the best so far.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef
from ..mean import constant_axes
from ...errors import TinygenError

VALUE_TYPES = ("int8", "float32")  # arg_min_max.cc (its interpreter fails on int32 values)


@dataclass(frozen=True)
class ArgParams:
    outer: int  # the product of the dimensions before the axis
    axis_size: int
    inner: int  # the product of the dimensions after it


def lower(graph, op, ctx: LowerContext) -> Layer:
    where = f"{op.kind} (operator {op.index})"
    x, axis, y = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]], graph.tensors[op.outputs[0]]
    if x.dtype not in VALUE_TYPES:
        raise TinygenError(f"{where} reads {x.dtype} tensor '{x.name}'; TFLite Micro compares int8 and float32 "
                           "values", "convert with full-integer int8 quantization")
    if y.dtype != "int32":
        raise TinygenError(f"{where} writes {y.dtype} indices; TFLite Micro computes int32 ones only",
                           "export with output_type=tf.int32 (tf.math.argmax(..., output_type=tf.int32))")
    if axis.size != 1:
        raise TinygenError(f"{where} needs one constant int32 axis (has {axis.size})", "give it one axis")
    (a,) = constant_axes(graph, op, x)
    shape = [int(d) for d in x.shape]
    if [int(d) for d in y.shape] != shape[:a] + shape[a + 1:] or shape[a] == 0:
        raise TinygenError(f"{where} maps {shape} over axis {a} to {list(y.shape)}",
                           "the model file is inconsistent; re-export it")
    params = ArgParams(int(np.prod(shape[:a], dtype=np.int64)), shape[a],
                       int(np.prod(shape[a + 1:], dtype=np.int64)))
    kernel = f"tg_{op.kind.lower()}_{TYPE_SUFFIX[x.dtype]}"
    return Layer(op, "arg_min_max/arg_min_max.c.j2", kernel, (op.inputs[0],), (op.outputs[0],), params,
                 summary=f"{op.kind} {shape} over axis {a} -> {list(y.shape)}")


def example(m, rng) -> bytes:
    """ARG_MAX over the channels of an image (ARG_MIN is the same loop: tests/ops/test_arg_min_max.py)."""
    x = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=-3)
    channels = m.tensor([1], "int32", data=np.array([-1], np.int32))
    y = m.tensor([1, 3, 4], "int32")
    m.op("ARG_MAX", [x, channels], [y], output_type=2)  # schema TensorType.INT32
    return m.finish([x], [y])


OP = OpDef(kinds=("ARG_MAX", "ARG_MIN"), arity={"ARG_MAX": Arity(2), "ARG_MIN": Arity(2)},
           options={"ARG_MAX": "ArgMaxOptions", "ARG_MIN": "ArgMinOptions"}, lower=lower,
           types=("int8 → int32", "float32 → int32"), example=example, header="tg_arg_min_max.h")
