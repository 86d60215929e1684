"""Kernel libraries. A backend offers, per lowered layer, a kernel of its own where it computes the same bytes
as TFLM's reference kernels; layers it has none for keep tinygen's portable kernel (compiled in the same build).

Lowering never imports a backend: the kernel-selection pass (lowered/select_kernels.py) asks the backend,
which asks each operator's own mapping (OpDef.backends["cmsis-nn"], say). A new backend is a Backend subclass here, with
its mappings in the operator folders.
"""
from __future__ import annotations

from ..errors import TinygenError
from .base import Backend
from .cmsis_nn import CmsisNN
from .specialized import Specialized

BACKENDS: dict[str, type[Backend]] = {"portable": Backend, "cmsis-nn": CmsisNN, "specialized": Specialized}
NAMES = tuple(BACKENDS)
# Cores where the specialized kernels beat CMSIS-NN and the portable ones (QEMU instruction counts on the MLPerf
# Tiny models: Cortex-M4/M7, rv32imc, and the lx106 ISA for the ESP32's Xtensa cores; the M33 has the same DSP
# instructions as the M4), and the host emulator (time per inference: bench/emulator.py). On the M55 CMSIS-NN's
# MVE kernels stay ahead; M0+/M3 are not measured yet.
SPECIALIZED_CORES = ("cortex-m4", "cortex-m7", "cortex-m33", "rv32imc", "xtensa-lx6", "xtensa-lx7", "host")


def default_for(core: str) -> str:
    """The backend a build for `core` gets unless it names one and no external source tree is needed for."""
    return "specialized" if core in SPECIALIZED_CORES else "portable"


def get(name: str, core: str = "host") -> Backend:
    if name not in BACKENDS:
        raise TinygenError(f"unknown backend '{name}'", f"choose {', '.join(NAMES[:-1])} or {NAMES[-1]}")
    return BACKENDS[name](core)
