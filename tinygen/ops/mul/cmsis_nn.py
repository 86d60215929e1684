"""MUL on CMSIS-NN: arm_elementwise_mul_s8 takes tinygen's same-shape arguments; broadcasting stays portable."""
from __future__ import annotations

from ..common import Layer


def retarget(layer: Layer, arch: str) -> Layer | None:
    if layer.kernel == "tg_elementwise_mul_s8":
        return layer.replace(kernel="arm_elementwise_mul_s8")
    return None
