"""Pooling on CMSIS-NN: arm_avgpool_s8 (scratch: arm_avgpool_s8_get_buffer_size{,_dsp,_mve}) and arm_max_pool_s8."""
from __future__ import annotations

from ..common import Layer


def avgpool_scratch(depth: int, arch: str) -> int:
    return depth * 4 if arch == "dsp" else 0  # one int32 sum per channel on DSP


def retarget(layer: Layer, arch: str) -> Layer | None:
    if layer.kernel == "tg_avgpool_s8":
        return layer.replace(kernel="arm_avgpool_s8", scratch_bytes=avgpool_scratch(layer.params.depth, arch))
    if layer.kernel == "tg_max_pool_s8":
        return layer.replace(kernel="arm_max_pool_s8")
    return None
