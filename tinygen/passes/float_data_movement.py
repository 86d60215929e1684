"""Float data movement between DEQUANTIZE and QUANTIZE, moved to the int8 bytes.

TensorFlow's converter sometimes leaves the SPLIT of an unrolled recurrent layer (or a RESHAPE, CONCATENATION,
...) in float32: DEQUANTIZE → SPLIT → QUANTIZE. Data movement copies values unchanged, so every byte a QUANTIZE
writes is a function of the one int8 byte it came from. The island of float tensors then runs on the int8 bytes
(with the DEQUANTIZE's scale and zero point), and each QUANTIZE is marked `through_float`: its lowering looks the
byte up in a table filled with TFLM's float arithmetic of both steps (ops/quantize, through_float_table).
"""
from __future__ import annotations

import dataclasses

from ..ir import Graph, Op

# Operators that only move or select elements: the same values come out, whatever the element type.
MOVES = {"RESHAPE", "SQUEEZE", "EXPAND_DIMS", "SPLIT", "SPLIT_V", "SLICE", "STRIDED_SLICE", "TRANSPOSE", "UNPACK",
         "PACK", "CONCATENATION", "GATHER"}


def _floats(graph: Graph, tensors) -> list[int]:
    return [t for t in tensors if t >= 0 and graph.tensors[t].dtype == "float32"]


def _unary(op: Op) -> bool:
    """One input and one output: the pass runs before arity checks, so a malformed op is left to them."""
    return len(op.inputs) == 1 and len(op.outputs) == 1 and min(op.inputs[0], op.outputs[0]) >= 0


def _island(graph: Graph, start: int) -> set[int] | None:
    """The float tensors connected to `start` through data movement, if every one comes from an int8 DEQUANTIZE
    (all with one scale and zero point) or data movement, and goes only to data movement or an int8 QUANTIZE."""
    island, frontier, sources = {start}, [start], set()
    while frontier:
        t = frontier.pop()
        if t in graph.outputs or t in graph.inputs or graph.tensors[t].is_const:
            return None
        producer = graph.producer(t)
        neighbours = []
        if producer is not None and producer.kind == "DEQUANTIZE" and _unary(producer):
            x = graph.tensors[producer.inputs[0]]
            if x.dtype != "int8" or x.quant is None or x.quant.per_channel:
                return None
            sources.add((x.scale, x.zero_point))
        elif producer is not None and producer.kind in MOVES:
            neighbours += _floats(graph, producer.inputs) + _floats(graph, producer.outputs)
        else:
            return None
        for consumer in graph.consumers(t):
            if (consumer.kind == "QUANTIZE" and _unary(consumer)
                    and graph.tensors[consumer.outputs[0]].dtype == "int8"):
                continue
            if consumer.kind not in MOVES:
                return None
            neighbours += _floats(graph, consumer.inputs) + _floats(graph, consumer.outputs)
        for n in neighbours:
            if n not in island:
                island.add(n)
                frontier.append(n)
    return island if len(sources) == 1 else None


def float_data_movement(graph: Graph) -> Graph:
    tensors, ops = list(graph.tensors), list(graph.ops)
    for dequantize in graph.ops:
        if (dequantize.kind != "DEQUANTIZE" or not _unary(dequantize)
                or tensors[dequantize.outputs[0]].dtype != "float32"):
            continue  # not a DEQUANTIZE, or already rewritten as part of an earlier island
        island = _island(dataclasses.replace(graph, tensors=tensors, ops=ops), dequantize.outputs[0])
        if island is None:
            continue
        source = tensors[dequantize.inputs[0]]
        for t in island:
            tensors[t] = dataclasses.replace(tensors[t], dtype="int8", quant=source.quant)
        removed = [op for op in ops if op.kind == "DEQUANTIZE" and _unary(op) and op.outputs[0] in island]
        renamed = {op.outputs[0]: op.inputs[0] for op in removed}
        rewritten: list[Op] = []
        for op in ops:
            if any(op is r for r in removed):
                continue
            inputs = [renamed.get(t, t) for t in op.inputs]
            options = op.options
            if op.kind == "QUANTIZE" and _unary(op) and op.inputs[0] in island:
                options = {**options, "through_float": True}
            rewritten.append(dataclasses.replace(op, inputs=inputs, options=options))
        ops = rewritten
    return dataclasses.replace(graph, tensors=tensors, ops=ops)
