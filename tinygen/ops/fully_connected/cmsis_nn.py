"""FULLY_CONNECTED on CMSIS-NN: arm_fully_connected_s8 / _per_channel_s8 (int4 weights, per tensor:
arm_fully_connected_s4, which needs no buffer) take tinygen's arguments.

On Helium they read precomputed weight sums (bias folded in, as arm_vector_sum_s8 makes them since v7) from
the context buffer: computed here and kept in flash.
"""
from __future__ import annotations

import numpy as np

from ..common import Layer, const


def retarget(layer: Layer, arch: str) -> Layer | None:
    p = layer.params
    if layer.kernel == "tg_fully_connected_s4":
        return layer.replace(kernel="arm_fully_connected_s4", scratch_bytes=0)
    kernel = "arm_fully_connected_per_channel_s8" if p.per_channel else "arm_fully_connected_s8"
    if arch != "mve":
        return layer.replace(kernel=kernel)
    # arm_vector_sum_s8(sums, accum, out_depth, weights, input_offset, filter_offset=0, bias), in int32.
    w = layer.const("weights").values.astype(np.int64)
    sums = layer.const("bias").values.astype(np.int64) + p.input_offset * w.sum(axis=1)
    sums = ((sums + 2**31) % 2**32 - 2**31).astype(np.int32)
    return layer.replace(kernel=kernel, consts=layer.consts + (const("kernel_sums", "int32_t", sums),))
