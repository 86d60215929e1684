"""Kernel choice per layer: the backend's kernel where it offers one, else the lowering's portable kernel."""
from __future__ import annotations

from ..ops import REGISTRY


def select_kernels(lowered):
    backend = lowered.backend
    layers = tuple(backend.offer(layer, REGISTRY[layer.op.kind]) or layer for layer in lowered.layers)
    return lowered.replace(layers=layers)
