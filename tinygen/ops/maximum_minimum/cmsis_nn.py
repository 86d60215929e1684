"""MAXIMUM / MINIMUM on CMSIS-NN: arm_maximum_s8 / arm_minimum_s8 (TFLM's cmsis_nn port calls them) compare the
stored int8 values as TFLM does. Taken where the operands have one shape or one of them is a single value (its
flat and scalar loops); its other broadcasts walk strides of their own, so those layers keep the portable kernel.
Both loops read element i of each input before writing element i of the output: in place like tinygen's."""
from __future__ import annotations

import dataclasses

from ..common import Layer

KERNELS = {"tg_maximum_s8": "arm_maximum_s8", "tg_minimum_s8": "arm_minimum_s8"}


def retarget(layer: Layer, arch: str) -> Layer | None:
    shape = layer.params
    if layer.kernel not in KERNELS or (shape.broadcast and 1 not in (_size(shape.dims1), _size(shape.dims2))):
        return None
    kernel = KERNELS[layer.kernel]
    inplace = tuple(dataclasses.replace(ip, kernels=ip.kernels + (kernel,)) for ip in layer.inplace)
    return layer.replace(kernel=kernel, template="maximum_minimum/maximum_minimum_cmsis_nn.c.j2", inplace=inplace)


def _size(dims) -> int:
    n, h, w, c = dims
    return n * h * w * c
