"""SOFTMAX on CMSIS-NN: arm_softmax_s8 takes tinygen's int8 arguments (and, like tinygen's, returns nothing);
the int16 forms stay portable."""
from __future__ import annotations

from ..common import Layer


def retarget(layer: Layer, arch: str) -> Layer | None:
    if layer.kernel == "tg_softmax_s8":
        return layer.replace(kernel="arm_softmax_s8")
    return None
