"""SQUEEZE: size-1 axes dropped, same bytes: an alias of its input (no code) wherever the memory plan allows.

TFLM's Prepare squeezes the listed squeeze_dims (each of size 1, negative counting from the end), or every
size-1 axis when none are listed, of an input of rank 8 at most (the verifier allows rank 6 at most).
"""
from __future__ import annotations

from ..common import Arity, Layer, LowerContext, OpDef
from ..reshape import alias_layer, fold
from ...errors import TinygenError


def lower(graph, op, ctx: LowerContext) -> Layer:
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    where = f"SQUEEZE (operator {op.index})"
    shape = [int(d) for d in x.shape]
    raw = op.options.get("squeeze_dims")
    listed = [] if raw is None else [int(d) for d in raw]
    squeezed = {d + len(shape) if d < 0 else d for d in listed} if listed else {
        a for a, d in enumerate(shape) if d == 1}
    if any(not 0 <= a < len(shape) or shape[a] != 1 for a in squeezed):
        raise TinygenError(f"{where} squeezes axes {listed} of {shape}, not all of them size-1 axes",
                           "the model file is corrupted; re-export it")
    kept = [d for a, d in enumerate(shape) if a not in squeezed]
    if kept != [int(d) for d in y.shape]:
        raise TinygenError(f"{where} squeezes {shape} into {list(y.shape)}, not {kept}",
                           "the model file is corrupted; re-export it")
    return alias_layer(graph, op, f"SQUEEZE {shape} -> {kept}")


def example(m, rng) -> bytes:
    """The listed axes squeezed between two operators (an alias), then every size-1 axis, input to output."""
    x = m.tensor([1, 3, 1, 4, 1], scale=0.05, zero_point=1)
    h = m.tensor([1, 3, 1, 4, 1], scale=0.05, zero_point=1)
    m.op("RELU", [x], [h])
    s = m.tensor([1, 3, 4, 1], scale=0.05, zero_point=1)
    m.op("SQUEEZE", [h], [s], squeeze_dims=[2])
    t = m.tensor([1, 3, 4, 1], scale=0.05, zero_point=1)
    m.op("RELU", [s], [t])
    y = m.tensor([3, 4], scale=0.05, zero_point=1)
    m.op("SQUEEZE", [t], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("SQUEEZE",), types=("int8", "int16", "float32"),
           arity={"SQUEEZE": Arity(1)}, options={"SQUEEZE": "SqueezeOptions"}, lower=lower,
           fold=fold, example=example)
