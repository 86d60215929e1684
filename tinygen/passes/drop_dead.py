"""Remove operators whose results nothing uses (e.g. what is left after constant folding)."""
import dataclasses

from ..ir import Graph


def drop_dead(graph: Graph) -> Graph:
    live = set(graph.outputs)
    kept = []
    for op in reversed(graph.ops):
        if any(t in live for t in op.outputs):
            kept.append(op)
            live.update(t for t in op.inputs if t >= 0)
    return dataclasses.replace(graph, ops=kept[::-1])
