"""The specialized backend: tinygen's own kernels, instantiated per layer with its sizes as constants and its
weights rearranged offline (kernels/tg_gemm.h; the mappings are each operator's specialized.py).

First step (issue 12): pointwise CONV_2D and FULLY_CONNECTED. Layers it has no form for keep the portable kernel.
On cores with the DSP extension the kernels use its SIMD multiply-accumulates (ACLE, arm_acle.h) and scratch
sized here; elsewhere the same specialised loops in plain C.
"""
from __future__ import annotations

from .base import Backend
from .cmsis_nn import DSP_CORES, MVE_CORES


class Specialized(Backend):
    name = "specialized"

    @property
    def arch(self) -> str:
        """"dsp" where the core has the DSP extension (its SIMD path needs scratch); "host" for the host emulator
        (the plain C loops over wide channel blocks, which its compiler vectorizes); else "c"."""
        if self.core in DSP_CORES | MVE_CORES:
            return "dsp"
        return "host" if self.core == "host" else "c"
