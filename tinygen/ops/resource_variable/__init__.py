"""Resource variables: VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE and CALL_ONCE, as the TF converter emits them
for stateful models (a Keras `stateful=True` RNN's state, a tf.Variable assigned in a tf.function).

The reader evaluates CALL_ONCE's init subgraph (constant ASSIGN_VARIABLEs only) into the CALL_ONCE's options;
the graph pass passes/resource_variables.py then gives every variable (one per container and shared name, as
TFLM's MicroResourceVariables keys them) a variable tensor in the state region, initialised to what the init
subgraph assigns, and drops VAR_HANDLE and CALL_ONCE. What is left is lowered here: READ_VARIABLE is an alias
of the variable where no ASSIGN_VARIABLE of it can run while its value is still read, else a copy;
ASSIGN_VARIABLE copies its value into the variable (TFLM memcpys both ways).
"""
from __future__ import annotations

import numpy as np

from ..common import Arity, Layer, LowerContext, OpDef
from ..reshape import CopyParams
from ...errors import TinygenError

RESOURCE_KINDS = ("VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE")


def _check_same(op, variable, value) -> None:
    if tuple(variable.shape) != tuple(value.shape) or variable.dtype != value.dtype:
        raise TinygenError(f"{op.kind} (operator {op.index}) moves {value.dtype} {list(value.shape)} to or from "
                           f"variable '{variable.name}' of {variable.dtype} {list(variable.shape)}",
                           "the model file is inconsistent; re-export it")


def _assigned_while_read(graph, op) -> bool:
    """Whether an ASSIGN_VARIABLE of op's variable runs at or before the last reader of op's output (or the
    output is the model's output): then the value read must be a copy, not the variable's memory."""
    variable, value = op.inputs[0], op.outputs[0]
    position = {id(o): k for k, o in enumerate(graph.ops)}
    start = position[id(op)]
    readers = [position[id(o)] for o in graph.consumers(value)]
    last = max(readers, default=start)
    return value in graph.outputs or any(
        o.kind == "ASSIGN_VARIABLE" and o.inputs[0] == variable for o in graph.ops[start + 1:last + 1])


def lower_read(graph, op, ctx: LowerContext) -> Layer:
    variable, value = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    _check_same(op, variable, value)
    alias = not _assigned_while_read(graph, op)
    return Layer(op, "resource_variable/copy.c.j2", "memcpy", (op.inputs[0],), (op.outputs[0],),
                 CopyParams(value.nbytes), alias=alias,
                 summary=f"READ_VARIABLE '{variable.name}' {value.dtype} {list(value.shape)}")


def lower_assign(graph, op, ctx: LowerContext) -> Layer:
    variable, value = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]]
    _check_same(op, variable, value)
    return Layer(op, "resource_variable/assign.c.j2", "memcpy", (op.inputs[0], op.inputs[1]), (),
                 CopyParams(value.nbytes),
                 summary=f"ASSIGN_VARIABLE '{variable.name}' {value.dtype} {list(value.shape)}")


def lower(graph, op, ctx: LowerContext) -> Layer:
    if op.kind == "READ_VARIABLE":
        return lower_read(graph, op, ctx)
    if op.kind == "ASSIGN_VARIABLE":
        return lower_assign(graph, op, ctx)
    raise TinygenError(f"{op.kind} (operator {op.index}) is left after resolving the model's variables",
                       "the model file is inconsistent; re-export it")


def example(m, rng) -> bytes:
    """An accumulator: y = x + v, then v = y, v starting at a nonzero constant the init subgraph assigns."""
    from ai_edge_litert import schema_py_generated as schema

    x = m.tensor([1, 6], scale=0.05, zero_point=3)
    handle = m.tensor([], "resource")
    v = m.tensor([1, 6], scale=0.08, zero_point=-5)
    y = m.tensor([1, 6], scale=0.08, zero_point=-5)
    m.op("CALL_ONCE", [], [], init_subgraph_index=1)
    m.op("VAR_HANDLE", [], [handle], shared_name="accumulator")
    m.op("READ_VARIABLE", [handle], [v])
    m.op("ADD", [x, v], [y])
    m.op("ASSIGN_VARIABLE", [handle, y], [])
    # The init subgraph: VAR_HANDLE + ASSIGN_VARIABLE of a constant, added next to the main one.
    main = m.sg
    init = schema.SubGraphT()
    init.tensors, init.operators, init.inputs, init.outputs, init.name = [], [], [], [], "init"
    m.sg = init
    h = m.tensor([], "resource")
    c = m.tensor([1, 6], data=rng.integers(-60, 60, (1, 6)).astype(np.int8), scale=0.08, zero_point=-5)
    m.op("VAR_HANDLE", [], [h], shared_name="accumulator")
    m.op("ASSIGN_VARIABLE", [h, c], [])
    m.model.subgraphs.append(init)
    m.sg = main
    return m.finish([x], [y])


OP = OpDef(kinds=RESOURCE_KINDS,
           arity={"VAR_HANDLE": Arity(0), "READ_VARIABLE": Arity(1), "ASSIGN_VARIABLE": Arity(2, outputs=0),
                  "CALL_ONCE": Arity(0, outputs=0)},
           options={"VAR_HANDLE": "VarHandleOptions", "READ_VARIABLE": "ReadVariableOptions",
                    "ASSIGN_VARIABLE": "AssignVariableOptions", "CALL_ONCE": "CallOnceOptions"},
           lower=lower, types=("int8", "int16", "float32"), state_inputs=(0,), shares_state=True,
           example=example)
