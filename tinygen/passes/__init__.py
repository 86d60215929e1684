"""Graph rewrites, run in this order. Each takes a Graph and returns a new one (the input is left as it was)."""
from .drop_dead import drop_dead
from .float_data_movement import float_data_movement
from .fold_constants import fold_constants
from .fold_layout_transposes import fold_layout_transposes
from .fuse_activation import fuse_activation
from .resource_variables import resource_variables

PIPELINE = [float_data_movement, resource_variables, fold_constants, fold_layout_transposes, fuse_activation, drop_dead]


def run_pipeline(graph):
    for rewrite in PIPELINE:
        graph = rewrite(graph)
    return graph
