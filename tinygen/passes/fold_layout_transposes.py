"""Fold a layout TRANSPOSE that feeds a FULLY_CONNECTED (through RESHAPEs) into the weights' columns.

PyTorch's Flatten reads NCHW; a converted model computes channels-last, so onnx2tf (and other converters) put
TRANSPOSE(NHWC → NCHW) → RESHAPE → FULLY_CONNECTED at the end of a CNN. The transpose only reorders the K
values each output row of the FULLY_CONNECTED reads: with the weights' columns permuted the same way, the
FULLY_CONNECTED reads the untransposed bytes and computes every product it computed before. Its integer sums do
not depend on their order, so the result is bit-exact, and the copy and its buffer are gone. Float sums do: a
float FULLY_CONNECTED keeps its transpose.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..ir import Graph, Op

QUANTIZED = ("int8", "int16")  # activation types whose FULLY_CONNECTED accumulates in integers


def _single_consumer(graph: Graph, tensor: int) -> Op | None:
    consumers = graph.consumers(tensor)
    if len(consumers) != 1 or tensor in graph.outputs:
        return None
    return consumers[0]


def _transpose_before(graph: Graph, fc: Op) -> tuple[Op, list[Op]] | None:
    """The TRANSPOSE whose output reaches `fc`'s input through RESHAPEs only, each read by nothing else, and
    those RESHAPEs (nearest the transpose first)."""
    reshapes: list[Op] = []
    tensor = fc.inputs[0]
    while True:
        producer = graph.producer(tensor)
        if producer is None or _single_consumer(graph, tensor) is None:
            return None
        if producer.kind == "TRANSPOSE":
            return producer, reshapes[::-1]
        if producer.kind != "RESHAPE":
            return None
        reshapes.append(producer)
        tensor = producer.inputs[0]


def _source_order(graph: Graph, transpose: Op) -> np.ndarray | None:
    """For each element of the transpose's output (in memory order), the index of the input element it copies;
    None unless the permutation is a constant of the right length."""
    x, perm = graph.tensors[transpose.inputs[0]], graph.tensors[transpose.inputs[1]]
    axes = perm.data.reshape(-1).tolist() if perm.is_const else []
    if sorted(axes) != list(range(len(x.shape))):
        return None  # TRANSPOSE's lowering refuses it with the reason
    return np.arange(x.size).reshape(x.shape).transpose(axes).reshape(-1)


def fold_layout_transposes(graph: Graph) -> Graph:
    tensors, ops = list(graph.tensors), list(graph.ops)
    for fc in graph.ops:
        if fc.kind != "FULLY_CONNECTED" or len(fc.inputs) < 2 or min(fc.inputs[:2]) < 0:
            continue
        x, w = tensors[fc.inputs[0]], tensors[fc.inputs[1]]
        if x.dtype not in QUANTIZED or not w.is_const or len(w.shape) != 2 or w.shape[1] != x.size:
            continue  # float sums, run-time weights, or several rows: each row would need its own permutation
        found = _transpose_before(dataclasses.replace(graph, ops=ops), fc)
        if found is None:
            continue
        transpose, reshapes = found
        if not reshapes and fc.options.get("keep_num_dims"):
            continue  # the output's shape follows the input's
        source = _source_order(graph, transpose)
        if source is None or len(source) != w.shape[1]:
            continue
        columns = np.empty_like(w.data)
        columns[:, source] = w.data  # column k read transposed element k, which sits at input element source[k]
        columns.flags.writeable = False
        folded = dataclasses.replace(w, index=len(tensors), name=f"{w.name} (columns untransposed)", data=columns)
        tensors.append(folded)
        untransposed = transpose.inputs[0]
        rewired = []
        for op in ops:
            if op is transpose:
                continue
            if op is fc:
                inputs = [untransposed if not reshapes else op.inputs[0], folded.index] + op.inputs[2:]
                op = dataclasses.replace(op, inputs=inputs)
            elif reshapes and op is reshapes[0]:
                op = dataclasses.replace(op, inputs=[untransposed] + op.inputs[1:])
            rewired.append(op)
        ops = rewired
    return dataclasses.replace(graph, tensors=tensors, ops=ops)
