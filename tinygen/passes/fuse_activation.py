"""Fold a standalone RELU / RELU6 into the operator that produces its input.

Exact only when the activation does not rescale (same scale and zero point on both sides): TFLite's int8 RELU
then reduces to the same clamp a fused activation applies.
"""
from __future__ import annotations

from ..ir import Graph

_FUSABLE_PRODUCERS = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "AVERAGE_POOL_2D",
                      "MAX_POOL_2D", "MUL"}
_CODES = {"RELU": 1, "RELU6": 3}


def fuse_activation(graph: Graph) -> Graph:
    removed = set()
    for op in graph.ops:
        if op.kind not in _CODES:
            continue
        x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
        producer = graph.producer(op.inputs[0])
        if (producer is None or producer.kind not in _FUSABLE_PRODUCERS
                or producer.options.get("fused_activation_function", 0) != 0
                or len(graph.consumers(op.inputs[0])) != 1 or op.inputs[0] in graph.outputs
                or x.dtype != "int8" or y.dtype != "int8" or x.quant is None or y.quant is None
                or x.scale != y.scale or x.zero_point != y.zero_point):
            continue
        producer.options["fused_activation_function"] = _CODES[op.kind]
        producer.outputs[producer.outputs.index(op.inputs[0])] = op.outputs[0]
        removed.add(id(op))
    graph.ops = [op for op in graph.ops if id(op) not in removed]
    return graph
