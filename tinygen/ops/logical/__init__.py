"""LOGICAL_AND, LOGICAL_OR (broadcast as numpy does, TFLM's BroadcastBinaryFunction4DSlow; up to 5 dimensions
once adjacent ones merge) and LOGICAL_NOT → tg_logical_and_u8 / _or_u8 / _not_u8: bool in, bool out, as TFLite
Micro's logical.cc and elementwise.cc."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import Arity, BroadcastLoop, Layer, LowerContext, OpDef, broadcast_loop, elementwise_inplace
from ...errors import TinygenError

KERNELS = {"LOGICAL_AND": "tg_logical_and_u8", "LOGICAL_OR": "tg_logical_or_u8", "LOGICAL_NOT": "tg_logical_not_u8"}
NUMPY = {"LOGICAL_AND": np.logical_and, "LOGICAL_OR": np.logical_or, "LOGICAL_NOT": np.logical_not}
OPTIONS = {"LOGICAL_AND": "LogicalAndOptions", "LOGICAL_OR": "LogicalOrOptions", "LOGICAL_NOT": "LogicalNotOptions"}


@dataclass(frozen=True)
class LogicalParams:
    size: int
    walk: BroadcastLoop | None = None  # binary operators only


def require_bool(graph, op, *tensors: int) -> list:
    """The tensors, each bool, or a refusal naming the first that is not."""
    out = []
    for t in tensors:
        tensor = graph.tensors[t]
        if tensor.dtype != "bool":
            raise TinygenError(f"{op.kind} (operator {op.index}) has {tensor.dtype} tensor '{tensor.name}'; "
                               f"{op.kind} reads and writes bool", "the model file is inconsistent; re-export it")
        out.append(tensor)
    return out


def lower(graph, op, ctx: LowerContext) -> Layer:
    kernel = KERNELS[op.kind]
    tensors = require_bool(graph, op, *op.inputs, op.outputs[0])
    y = tensors[-1]
    if op.kind == "LOGICAL_NOT":
        return Layer(op, "logical/logical.c.j2", kernel, (op.inputs[0],), (op.outputs[0],), LogicalParams(y.size),
                     summary=f"LOGICAL_NOT {y.size}", inplace=elementwise_inplace((kernel,), True))
    a, b = tensors[:2]
    walk = broadcast_loop(op, (a, b), y)
    how = f"{y.size}" if walk.flat else f"{list(a.shape)}, {list(b.shape)}"
    return Layer(op, "logical/logical.c.j2", kernel, (op.inputs[0], op.inputs[1]), (op.outputs[0],),
                 LogicalParams(y.size, walk), summary=f"{op.kind} {how}",
                 inplace=elementwise_inplace((kernel,), walk.same_as_output(0), walk.same_as_output(1)))


def fold(graph, op, args):
    if any(graph.tensors[t].dtype != "bool" for t in op.inputs):
        return None
    return NUMPY[op.kind](*args)


def example(m, rng) -> bytes:
    """x > 0 AND x < a broadcast constant row, OR NOT (x >= another row): the comparisons give the bools."""
    x = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=-4)
    zero = m.tensor([], scale=0.05, zero_point=-4, data=np.array(-4, np.int8))
    row = m.tensor([5], scale=0.04, zero_point=2, data=rng.integers(-128, 128, 5).astype(np.int8))
    row2 = m.tensor([4, 1], scale=0.04, zero_point=2, data=rng.integers(-128, 128, (4, 1)).astype(np.int8))
    positive, below, above = (m.tensor([1, 3, 4, 5], "bool") for _ in range(3))
    m.op("GREATER", [x, zero], [positive])
    m.op("LESS", [x, row], [below])
    m.op("GREATER_EQUAL", [x, row2], [above])
    both, other, y = (m.tensor([1, 3, 4, 5], "bool") for _ in range(3))
    m.op("LOGICAL_AND", [positive, below], [both])
    m.op("LOGICAL_NOT", [above], [other])
    m.op("LOGICAL_OR", [both, other], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=tuple(KERNELS), arity={"LOGICAL_AND": Arity(2), "LOGICAL_OR": Arity(2), "LOGICAL_NOT": Arity(1)},
           options=OPTIONS, lower=lower, fold=fold, types=("bool",), same_shape=False, example=example,
           header="tg_logical.h")
