"""PAD / PADV2 on CMSIS-NN: arm_pad_s8 takes tg_pad_s8's arguments and fills the same regions with the same
value (the output zero point, or PADV2's constant), a byte copy elsewhere: exact."""
from __future__ import annotations

from ..common import Layer


def retarget(layer: Layer, arch: str) -> Layer | None:
    return layer.replace(kernel="arm_pad_s8") if layer.kernel == "tg_pad_s8" else None
