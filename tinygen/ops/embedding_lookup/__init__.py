"""EMBEDDING_LOOKUP (int32 ids, an int8 or float32 value table → its type) → tg_gather5_s8 (_f32) for constant
ids, tg_gather_nd_s8 (_f32; one index per row, checked against the rows) for run-time ones, e.g. a model input.

TFLM's Prepare takes rank-1 int32 ids and a value table of rank ≥ 2; its EvalSimple copies row ids[i] for each
i and fails on an id outside [0, rows) (constant ids: refused here; run-time ones: invoke fails, as TFLM's
does). An int8 table read into a float32 output is TFLM's hybrid path (a dequantization): tinygen's float check
(compiler) refuses it as an operator computing in float32. A lookup of constant ids in a constant table folds.
"""
from __future__ import annotations

import numpy as np

from ..common import TYPE_SUFFIX, Arity, Layer, LowerContext, OpDef, require_per_tensor, require_same_quantization
from ..gather import gather_layer
from ..gather_nd import MAX_ND, GatherNdParams
from ...errors import TinygenError


def rows(graph, op) -> tuple[int, int]:
    """(rows, elements per row) after TFLM's Prepare checks and the output shape compared with the file's."""
    where = f"EMBEDDING_LOOKUP (operator {op.index})"
    ids, value, y = (graph.tensors[t] for t in (op.inputs[0], op.inputs[1], op.outputs[0]))
    if ids.dtype != "int32" or len(ids.shape) != 1:
        raise TinygenError(f"{where} looks up {ids.dtype} ids of shape {list(ids.shape)}; TFLite Micro takes a "
                           "vector of int32 ids", "export the model with int32 ids")
    plain = value.dtype == y.dtype == "float32" and value.quant is None and y.quant is None
    if not plain and (value.dtype != "int8" or y.dtype != "int8" or value.quant is None or y.quant is None):
        raise TinygenError(f"{where} reads a {value.dtype} table into {y.dtype}; tinygen compiles int8-quantized "
                           "and float32 tables into outputs of their type", "convert with full-integer int8 "
                           "quantization")
    shape = [int(d) for d in value.shape]
    if len(shape) < 2 or [int(d) for d in y.shape] != [int(ids.shape[0])] + shape[1:]:
        raise TinygenError(f"{where} looks up {list(ids.shape)} ids in {shape} into {list(y.shape)}",
                           "the model file is corrupted; re-export it")
    return shape[0], int(np.prod(shape[1:]))


def checked_ids(op, ids: np.ndarray, count: int) -> np.ndarray:
    ids = ids.reshape(-1).astype(np.int64)
    bad = np.flatnonzero((ids < 0) | (ids >= count))
    if len(bad):
        raise TinygenError(f"EMBEDDING_LOOKUP (operator {op.index}) looks up id {int(ids[bad[0]])} of a table of "
                           f"{count} rows; TFLite Micro fails on it", "fix the ids")
    return ids


def lower(graph, op, ctx: LowerContext) -> Layer:
    count, row = rows(graph, op)
    ids, value, y = (graph.tensors[t] for t in (op.inputs[0], op.inputs[1], op.outputs[0]))
    require_per_tensor(op, value, y)
    require_same_quantization(op, value, y)
    summary = f"EMBEDDING_LOOKUP {ids.size} of {count} rows of {row}"
    if ids.is_const:
        return gather_layer(op, [checked_ids(op, ids.data, count) * row, np.arange(row)], summary, source=1,
                            dtype=value.dtype)
    params = GatherNdParams(ids.size, 1, (row,) + (0,) * (MAX_ND - 1), row, value.size, rows=count)
    kernel = "tg_gather_nd_" + TYPE_SUFFIX[value.dtype]
    return Layer(op, "gather_nd/gather_nd.c.j2", kernel, (op.inputs[1], op.inputs[0]), (op.outputs[0],),
                 params, summary=summary + " (run time)")


def fold(graph, op, args) -> np.ndarray:
    count, _ = rows(graph, op)
    return np.asarray(args[1])[checked_ids(op, args[0], count)]


def example(m, rng) -> bytes:
    """Run-time ids (ARG_MAX of the input: always inside the table) into a constant table."""
    x = m.tensor([5, 4], scale=0.05, zero_point=1)
    axis = m.tensor([], "int32", data=np.array(1, np.int32))
    ids = m.tensor([5], "int32")
    m.op("ARG_MAX", [x, axis], [ids], output_type=2)
    table = m.tensor([4, 2, 3], scale=0.05, zero_point=1, data=rng.integers(-128, 128, (4, 2, 3)).astype(np.int8))
    y = m.tensor([5, 2, 3], scale=0.05, zero_point=1)
    m.op("EMBEDDING_LOOKUP", [ids, table], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("EMBEDDING_LOOKUP",), arity={"EMBEDDING_LOOKUP": Arity(2)}, options={"EMBEDDING_LOOKUP": None},
           lower=lower, fold=fold, index_inputs=(0,), types=("int8", "float32"), example=example,
           header="tg_gather_nd.h")
