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
        """"dsp" where the core has the DSP extension (its SIMD path needs scratch), else "c"."""
        return "dsp" if self.core in DSP_CORES | MVE_CORES else "c"
