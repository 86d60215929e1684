"""Evaluate operators whose results are known at compile time.

Keras's Flatten emits SHAPE → STRIDED_SLICE → PACK → RESHAPE: the shape of a static tensor is a constant, so
the whole chain folds and RESHAPE is left with a constant target shape.
"""
from __future__ import annotations

import numpy as np

from ..errors import corrupted
from ..ir import Graph, Op


def _strided_slice(op: Op, data: np.ndarray, begin, end, strides) -> np.ndarray:
    o = op.options
    index = []
    for d in range(len(begin)):
        b, e, s = int(begin[d]), int(end[d]), int(strides[d])
        if o.get("begin_mask", 0) >> d & 1:
            b = None
        if o.get("end_mask", 0) >> d & 1:
            e = None
        if o.get("shrink_axis_mask", 0) >> d & 1:
            index.append(b if b is not None else 0)
        else:
            index.append(slice(b, e, s))
    return np.asarray(data[tuple(index)])


def _evaluate(graph: Graph, op: Op) -> np.ndarray | None:
    t = graph.tensors
    args = [t[i].data if i >= 0 else None for i in op.inputs]
    if op.kind == "SHAPE":
        return np.asarray(t[op.inputs[0]].shape, dtype=np.int32)
    if any(a is None for a in args):
        return None
    if op.kind == "STRIDED_SLICE":
        o = op.options
        if o.get("ellipsis_mask", 0) or o.get("new_axis_mask", 0) or o.get("offset", False):
            return None
        return _strided_slice(op, *args)
    if op.kind == "PACK":
        return np.stack(args, axis=op.options.get("axis", 0))
    if op.kind == "CONCATENATION" and all(t[i].quant is None for i in op.inputs):
        return np.concatenate(args, axis=op.options.get("axis", 0))
    if op.kind == "RESHAPE":
        return args[0].reshape(t[op.outputs[0]].shape)
    if op.kind == "CAST":
        return args[0]
    return None


def fold_constants(graph: Graph) -> Graph:
    kept = []
    for op in graph.ops:
        out = graph.tensors[op.outputs[0]] if len(op.outputs) == 1 else None
        try:
            value = _evaluate(graph, op) if out is not None and op.outputs[0] not in graph.outputs else None
            # Only CAST (and SHAPE, whose output type is an option) may change the type; elsewhere a type change
            # is an operator TFLM refuses: leave it for its lowering to refuse too, never convert silently.
            if value is None or (op.kind not in ("CAST", "SHAPE")
                                 and np.asarray(value).dtype != np.dtype(_NP.get(out.dtype, object))):
                kept.append(op)
                continue
            out.data = np.asarray(value).astype(_NP[out.dtype]).reshape(out.shape)
        except (ValueError, IndexError, TypeError, KeyError, OverflowError, MemoryError) as e:
            # Constants that do not fit their operator or declared shape: the file is corrupted.
            raise corrupted(f"{op.kind} (operator {op.index}) cannot be evaluated on its constant inputs "
                            f"({type(e).__name__}: {str(e)[:100]})") from e
    graph.ops = kept
    return graph


_NP = {"int32": np.int32, "int64": np.int64, "int8": np.int8, "int16": np.int16, "float32": np.float32,
       "uint8": np.uint8, "bool": np.bool_}
