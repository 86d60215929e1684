"""SOFTMAX on CMSIS-NN: arm_softmax_s8 takes tinygen's arguments (and, like tinygen's, returns nothing)."""
from __future__ import annotations

from ..common import Layer


def retarget(layer: Layer, arch: str) -> Layer | None:
    return layer.replace(kernel="arm_softmax_s8")
