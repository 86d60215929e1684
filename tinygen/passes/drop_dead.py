"""Remove operators whose results nothing uses (e.g. what is left after constant folding). An operator
without outputs (ASSIGN_VARIABLE) acts on state: it stays."""
import dataclasses

from ..ir import Graph


def drop_dead(graph: Graph) -> Graph:
    live = set(graph.outputs)
    kept = []
    for op in reversed(graph.ops):
        if any(t in live for t in op.outputs) or not op.outputs:  # no outputs: it writes state (ASSIGN_VARIABLE)
            kept.append(op)
            live.update(t for t in op.inputs if t >= 0)
    return dataclasses.replace(graph, ops=kept[::-1])
