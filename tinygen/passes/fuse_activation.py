"""Fold a standalone RELU / RELU6 into the operator that produces its input (if its OpDef fuses activations).

Exact only when the activation does not rescale (same scale and zero point on both sides): TFLite's int8 RELU
then reduces to the same clamp a fused activation applies.
"""
from __future__ import annotations

import dataclasses

from ..ir import Graph
from ..ops import REGISTRY
from ..ops.relu import FUSED_CODE


def fuse_activation(graph: Graph) -> Graph:
    ops = list(graph.ops)
    removed = set()
    for k, op in enumerate(graph.ops):
        if op.kind not in FUSED_CODE:
            continue
        x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
        j = next((j for j, p in enumerate(ops) if op.inputs[0] in p.outputs), None)
        producer = ops[j] if j is not None else None
        if (producer is None or not getattr(REGISTRY.get(producer.kind), "fuses_activation", False)
                or producer.options.get("fused_activation_function", 0) != 0
                or len(graph.consumers(op.inputs[0])) != 1 or op.inputs[0] in graph.outputs
                or x.dtype != "int8" or y.dtype != "int8" or x.quant is None or y.quant is None
                or x.scale != y.scale or x.zero_point != y.zero_point):
            continue
        outputs = [op.outputs[0] if t == op.inputs[0] else t for t in producer.outputs]
        ops[j] = dataclasses.replace(producer, outputs=outputs,
                                     options={**producer.options, "fused_activation_function": FUSED_CODE[op.kind]})
        removed.add(k)
    return dataclasses.replace(graph, ops=[op for k, op in enumerate(ops) if k not in removed])
