"""Resource variables → variable tensors: VAR_HANDLE and CALL_ONCE disappear, READ_VARIABLE and ASSIGN_VARIABLE
read and write a variable tensor of the state region (ops/resource_variable).

TFLM keys a variable by its VAR_HANDLE's container and shared name (MicroResourceVariables::FindId); its type
and shape are those of the values read and assigned, which must agree. Its initial value is what CALL_ONCE's
init subgraph assigns (the reader evaluated it into the CALL_ONCE's options), else TFLM's default: the zero
point of the first value assigned to it (ASSIGN_VARIABLE's Prepare allocates the variable), else 0.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import TinygenError, corrupted
from ..ir import Graph, Tensor

_NP = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "float32": np.float32}


def _key(op) -> tuple[bytes, bytes]:
    return bytes(op.options.get("container") or b""), bytes(op.options.get("shared_name") or b"")


def _variable_text(key) -> str:
    container, name = (k.decode("utf-8", errors="replace") for k in key)
    return f"{container}/{name}" if container else name


def resource_variables(graph: Graph) -> Graph:
    kinds = {op.kind for op in graph.ops}
    if not kinds & {"VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE"}:
        return graph
    handles = {op.outputs[0]: _key(op) for op in graph.ops if op.kind == "VAR_HANDLE"}
    initial: dict[tuple[bytes, bytes], Tensor] = {}
    for op in graph.ops:
        if op.kind == "CALL_ONCE":
            initial.update(op.options.get("initial_values", {}))
    # Every value read from or assigned to a variable: they fix its type, shape and quantization.
    values: dict[tuple[bytes, bytes], list[Tensor]] = {}
    for kind in ("ASSIGN_VARIABLE", "READ_VARIABLE"):  # assigned values first: the first one sets the default
        for op in (op for op in graph.ops if op.kind == kind):
            if op.inputs[0] not in handles:
                raise corrupted(f"{op.kind} (operator {op.index}) reads no VAR_HANDLE's resource")
            value = op.outputs[0] if op.kind == "READ_VARIABLE" else op.inputs[1]
            values.setdefault(handles[op.inputs[0]], []).append(graph.tensors[value])
    tensors = list(graph.tensors)
    variable_of: dict[tuple[bytes, bytes], int] = {}
    for key, seen in values.items():
        first = seen[0]
        for t in seen[1:] + ([initial[key]] if key in initial else []):
            if tuple(t.shape) != tuple(first.shape) or t.dtype != first.dtype:
                raise TinygenError(f"variable '{_variable_text(key)}' is used as {first.dtype} {list(first.shape)} "
                                   f"and as {t.dtype} {list(t.shape)}", "the model file is inconsistent; re-export it")
        init = initial.get(key)
        data = None if init is None else np.asarray(init.data).astype(_NP.get(first.dtype, init.data.dtype))
        tensors.append(dataclasses.replace(first, index=len(tensors), name=_variable_text(key), data=None,
                                           is_variable=True, initial=data))
        variable_of[key] = len(tensors) - 1
    ops = []
    for op in graph.ops:
        if op.kind in ("VAR_HANDLE", "CALL_ONCE"):
            continue
        if op.kind in ("READ_VARIABLE", "ASSIGN_VARIABLE"):
            op = dataclasses.replace(op, inputs=[variable_of[handles[op.inputs[0]]]] + op.inputs[1:])
        ops.append(op)
    return dataclasses.replace(graph, tensors=tensors, ops=ops)
