"""Graph rewrites, run in this order. Each takes a Graph and returns it changed in place."""
from .drop_dead import drop_dead
from .fold_constants import fold_constants
from .fuse_activation import fuse_activation

PIPELINE = [fold_constants, fuse_activation, drop_dead]


def run_pipeline(graph):
    for rewrite in PIPELINE:
        graph = rewrite(graph)
    return graph
