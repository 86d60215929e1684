"""ADD on CMSIS-NN: arm_elementwise_add_s8 takes tinygen's same-shape arguments; broadcasting stays portable."""
from __future__ import annotations

import dataclasses

from ..common import Layer


def retarget(layer: Layer, arch: str) -> Layer | None:
    if layer.kernel == "tg_elementwise_add_s8":
        # arm_elementwise_add_s8 also writes each element (group of 4, Helium lanes) after reading it.
        kernel = "arm_elementwise_add_s8"
        inplace = tuple(dataclasses.replace(ip, kernels=ip.kernels + (kernel,)) for ip in layer.inplace)
        return layer.replace(kernel=kernel, inplace=inplace)
    return None
