"""RESHAPE: same bytes, new shape. An alias of its input (no code) wherever the memory plan allows."""
from __future__ import annotations

from ..errors import TinygenError
from . import Layer, LowerContext


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if x.size != y.size or x.dtype != y.dtype:
        raise TinygenError(f"RESHAPE (operator {op.index}) turns {x.dtype} {list(x.shape)} into "
                           f"{y.dtype} {list(y.shape)}", "the model file is corrupted; re-export it")
    if x.quant is not None and y.quant is not None and (x.scale != y.scale or x.zero_point != y.zero_point):
        raise TinygenError(f"RESHAPE (operator {op.index}) changes quantization", "re-export the model")
    return Layer(op, "reshape", [op.inputs[0]], [op.outputs[0]], dict(nbytes=x.nbytes), alias=True,
                 summary=f"RESHAPE {list(x.shape)} -> {list(y.shape)}")
