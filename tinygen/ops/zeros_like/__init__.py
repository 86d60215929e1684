"""ZEROS_LIKE → the output known at compile time (it folds from the input's shape alone, for every type TFLM
takes), or, int8, int32 and float32, a memset of the output where it is a model output (all-zero bytes are 0
and 0.0f).

TFLM's kernel writes 0 (not the zero point) in the input's type, for int8, int32, int64 and float32 inputs; the
input's values are never read.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef, require_same_type
from ...errors import TinygenError
from ...ir import DTYPES

TFLM_TYPES = ("int8", "int32", "int64", "float32")  # zeros_like.cc ZerosLikeEval
RUN_TIME_TYPES = ("int8", "int32", "float32")


@dataclass(frozen=True)
class ZerosParams:
    nbytes: int


def check(graph, op):
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    require_same_type(op, x, y)
    if x.dtype not in TFLM_TYPES:
        raise TinygenError(f"ZEROS_LIKE (operator {op.index}) has a {x.dtype} input; TFLite Micro's kernel takes "
                           f"{', '.join(TFLM_TYPES)}", "convert with int8 quantization")
    if list(x.shape) != list(y.shape):
        raise TinygenError(f"ZEROS_LIKE (operator {op.index}) maps {list(x.shape)} to {list(y.shape)}",
                           "the model file is corrupted; re-export it")
    return x, y


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = check(graph, op)
    if x.dtype not in RUN_TIME_TYPES:
        raise TinygenError(f"ZEROS_LIKE (operator {op.index}) writes a {x.dtype} model output; tinygen has no "
                           f"{x.dtype} tensors at run time", "give the model an int8, int32 or float32 output")
    return Layer(op, "zeros_like/zeros_like.c.j2", "memset", (op.inputs[0],), (op.outputs[0],),
                 ZerosParams(y.size * DTYPES[y.dtype]), summary=f"ZEROS_LIKE {list(y.shape)}")


def fold(graph, op, args) -> np.ndarray:
    x, y = check(graph, op)
    return np.zeros([int(d) for d in y.shape], np.dtype(x.dtype))


def example(m, rng) -> bytes:
    """Zeros (the byte 0, not the zero point) as a model output."""
    x = m.tensor([2, 3, 4], scale=0.05, zero_point=-9)
    y = m.tensor([2, 3, 4], scale=0.05, zero_point=-9)
    m.op("ZEROS_LIKE", [x], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("ZEROS_LIKE",), arity={"ZEROS_LIKE": Arity(1)}, options={"ZEROS_LIKE": "ZerosLikeOptions"},
           lower=lower, types=RUN_TIME_TYPES, fold=fold, fold_reads_shapes=True, same_shape=True, example=example)
