"""Evaluate operators whose results are known at compile time, through each operator's `fold` (ops/*/).

Keras's Flatten emits SHAPE → STRIDED_SLICE → PACK → RESHAPE: the shape of a static tensor is a constant, so
the whole chain folds and RESHAPE is left with a constant target shape.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import corrupted
from ..ir import Graph, Op
from ..ops import REGISTRY

_NP = {"int32": np.int32, "int64": np.int64, "int8": np.int8, "int16": np.int16, "float32": np.float32,
       "uint8": np.uint8, "bool": np.bool_}


def _evaluate(graph: Graph, op: Op) -> np.ndarray | None:
    definition = REGISTRY.get(op.kind)
    if definition is None or definition.fold is None:
        return None
    args = [graph.tensors[i].data if i >= 0 else None for i in op.inputs]
    if not definition.fold_reads_shapes and any(a is None for a in args):
        return None
    return definition.fold(graph, op, args)


def fold_constants(graph: Graph) -> Graph:
    tensors = list(graph.tensors)
    folded = dataclasses.replace(graph, tensors=tensors)
    kept = []
    for op in graph.ops:
        out = tensors[op.outputs[0]] if len(op.outputs) == 1 else None
        try:
            value = _evaluate(folded, op) if out is not None and op.outputs[0] not in graph.outputs else None
            # Only CAST and SHAPE may change the type; elsewhere a type change is an operator TFLM refuses:
            # leave it for its lowering to refuse too, never convert silently.
            if value is None or (not REGISTRY[op.kind].fold_changes_type
                                 and np.asarray(value).dtype != np.dtype(_NP.get(out.dtype, object))):
                kept.append(op)
                continue
            data = np.asarray(value).astype(_NP[out.dtype]).reshape(out.shape)
        except (ValueError, IndexError, TypeError, KeyError, OverflowError, MemoryError) as e:
            # Constants that do not fit their operator or declared shape: the file is corrupted.
            raise corrupted(f"{op.kind} (operator {op.index}) cannot be evaluated on its constant inputs "
                            f"({type(e).__name__}: {str(e)[:100]})") from e
        data.flags.writeable = False
        tensors[out.index] = dataclasses.replace(out, data=data)
    return dataclasses.replace(folded, ops=kept)
