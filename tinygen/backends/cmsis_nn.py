"""The cmsis-nn backend: the layers CMSIS-NN runs exactly, the kernel each calls, and its memory per core.

Every lowering names tinygen's portable kernel (Layer.kernel). This backend swaps in CMSIS-NN's kernel where
CMSIS-NN computes the same bytes as TFLM's reference, as each operator's cmsis_nn.py decides (CMSIS-NN's
arguments mirror tinygen's, see kernels/tg_types.h); other layers keep the portable kernel, which is compiled
in the same build. That includes layers CMSIS-NN gets wrong: its Helium 1xN convolution with VALID padding
that leaves input columns unused (ops/conv2d/cmsis_nn.py conv_exact).

CMSIS-NN picks its code path at compile time: Helium (MVE) on Cortex-M55/M85, the DSP extension on
Cortex-M4/M7/M33/M35P, plain C elsewhere. Scratch sizes differ per path, so they are computed here for the
target core, following CMSIS-NN's *_get_buffer_size sources (in the operator folders).
"""
from __future__ import annotations

import os
from pathlib import Path

from .base import Backend
from ..errors import TinygenError

ENV = "TINYGEN_CMSIS_NN"
CFLAGS = ["-DTINYGEN_USE_CMSIS_NN", "-Icmsis-nn/Include"]  # with sources() placed under cmsis-nn/
VOID_KERNELS = {"arm_softmax_s8"}  # the CMSIS-NN kernels tinygen calls that return no status
MVE_CORES = {"cortex-m55", "cortex-m85"}
DSP_CORES = {"cortex-m4", "cortex-m7", "cortex-m33", "cortex-m35p"}


def arch(core: str) -> str:
    """CMSIS-NN's code path on `core`: "mve", "dsp" or "c"."""
    return "mve" if core in MVE_CORES else "dsp" if core in DSP_CORES else "c"


def source_tree() -> Path:
    root = os.environ.get(ENV)
    if not root:
        raise TinygenError(f"the cmsis-nn backend needs a CMSIS-NN source tree and {ENV} is not set",
                           f"clone https://github.com/ARM-software/CMSIS-NN outside the project and set {ENV} to it")
    path = Path(root)
    if not (path / "Include" / "arm_nnfunctions.h").is_file() or not (path / "Source").is_dir():
        raise TinygenError(f"{ENV}={root} is not a CMSIS-NN source tree (no Include/arm_nnfunctions.h)",
                           "point it at the root of a CMSIS-NN checkout")
    return path


def sources() -> dict[str, str]:
    """CMSIS-NN's headers and integer sources as {"cmsis-nn/<path>": text} (float sources need
    ARM_NN_ENABLE_F16/F32 and are left out)."""
    root = source_tree()
    files = sorted(root.glob("Include/**/*.h")) + sorted(root.glob("Source/*/*.h"))
    files += [p for p in sorted(root.glob("Source/*/*.c")) if not p.stem.endswith(("_f16", "_f32"))]
    return {f"cmsis-nn/{p.relative_to(root).as_posix()}": p.read_text() for p in files}


class CmsisNN(Backend):
    name = "cmsis-nn"
    cflags = tuple(CFLAGS)
    preamble = "backends/cmsis_nn.c.j2"

    @property
    def arch(self) -> str:
        return arch(self.core)

    def reports_status(self, kernel: str) -> bool:
        return kernel.startswith("arm_") and kernel not in VOID_KERNELS

    def sources(self) -> dict[str, str]:
        return sources()

    def check_available(self) -> None:
        source_tree()
