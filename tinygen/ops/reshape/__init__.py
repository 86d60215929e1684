"""RESHAPE: same bytes, new shape. An alias of its input (no code) wherever the memory plan allows, else a copy."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef
from ...errors import TinygenError


@dataclass(frozen=True)
class CopyParams:
    nbytes: int


def alias_layer(graph, op, summary: str) -> Layer:
    """The layer of an operator whose output is its input's bytes unchanged (RESHAPE, SQUEEZE, EXPAND_DIMS, a
    TRANSPOSE of size-1 axes): an alias, or a copy where the memory plan cannot alias."""
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if x.size != y.size or x.dtype != y.dtype:
        raise TinygenError(f"{op.kind} (operator {op.index}) turns {x.dtype} {list(x.shape)} into "
                           f"{y.dtype} {list(y.shape)}", "the model file is corrupted; re-export it")
    if x.quant is not None and y.quant is not None and (x.scale != y.scale or x.zero_point != y.zero_point):
        raise TinygenError(f"{op.kind} (operator {op.index}) changes quantization", "re-export the model")
    return Layer(op, "reshape/reshape.c.j2", "memcpy", (op.inputs[0],), (op.outputs[0],), CopyParams(x.nbytes),
                 alias=True, summary=summary)


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    return alias_layer(graph, op, f"RESHAPE {list(x.shape)} -> {list(y.shape)}")


def fold(graph, op, args) -> np.ndarray:
    """The constant input in the output's shape (shared by the operators that only change shapes)."""
    return args[0].reshape(graph.tensors[op.outputs[0]].shape)


def example(m, rng) -> bytes:
    """A RESHAPE between two operators (an alias) and one from the input to the output (a copy)."""
    x = m.tensor([1, 2, 3, 4], scale=0.05, zero_point=1)
    shape = m.tensor([2], "int32", data=np.array([1, 24], np.int32))
    y = m.tensor([1, 24], scale=0.05, zero_point=1)
    m.op("RESHAPE", [x, shape], [y], new_shape=[1, 24])
    return m.finish([x], [y])


OP = OpDef(kinds=("RESHAPE",), arity={"RESHAPE": Arity(1, 1)}, options={"RESHAPE": "ReshapeOptions"},
           lower=lower, types=("int8", "int16", "float32"), fold=fold, example=example)
