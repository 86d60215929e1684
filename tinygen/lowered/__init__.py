"""Lowered-program passes: from the layers the lowerings produce to a program every byte of which is placed.

Each pass takes a Lowered and returns a new one; they run in PASSES order:

1. select_kernels      the backend offers its kernel per layer (else the portable one stays)
2. resolve_aliases     RESHAPE-like layers share their input's memory, unless that joins the user's buffers
3. measure_whole       the op-wise lower bound of the model as written (every tensor whole), for the report
4. fuse_residual_adds  an ADD of a convolution's output into that convolution's epilogue
5. plan_memory         in-place decisions, then one static arena: every tensor gets its Placement
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .fuse_residual import fuse_residual_adds
from .memory import Groups, MemoryPlan, measure_whole, plan_memory, resolve_aliases
from .select_kernels import select_kernels
from ..backends import Backend
from ..ir import Graph
from ..ops.common import Layer


@dataclass(frozen=True)
class Lowered:
    graph: Graph
    layers: tuple[Layer, ...]
    input: int  # the model's input tensor
    output: int
    backend: Backend
    aliases: Groups = field(default_factory=Groups)  # tensors sharing one buffer through aliasing layers
    whole_tensor_bound: int = 0
    plan: MemoryPlan | None = None
    # Every caller-owned tensor with its C name, inputs first; empty: `input` and `output` alone.
    externals: tuple[tuple[int, str], ...] = ()

    @property
    def io(self) -> tuple[tuple[int, str], ...]:
        return self.externals or ((self.input, "input"), (self.output, "output"))

    @property
    def outputs(self) -> set[int]:
        return set(self.graph.outputs) if self.externals else {self.output}

    def replace(self, **changes) -> "Lowered":
        return dataclasses.replace(self, **changes)


PASSES = (select_kernels, resolve_aliases, measure_whole, fuse_residual_adds, plan_memory)


def run(lowered: Lowered) -> Lowered:
    for apply in PASSES:
        lowered = apply(lowered)
    return lowered
