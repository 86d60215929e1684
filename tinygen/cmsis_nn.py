"""The cmsis-nn backend: the layers CMSIS-NN runs exactly, the kernel each calls, and its memory per core.

Every lowering names tinygen's portable kernel (params["kernel"]). On the cmsis-nn backend, `retarget` swaps
in CMSIS-NN's kernel where CMSIS-NN computes the same bytes as TFLM's reference (CMSIS-NN's arguments mirror
tinygen's, see kernels/tg_types.h); other layers keep the portable kernel, which is compiled in the same build.
That includes layers CMSIS-NN gets wrong: its Helium 1xN convolution with VALID padding that leaves input
columns unused (see conv_exact).

CMSIS-NN picks its code path at compile time: Helium (MVE) on Cortex-M55/M85, the DSP extension on
Cortex-M4/M7/M33/M35P, plain C elsewhere. Scratch sizes differ per path, so they are computed here for the
target core, following CMSIS-NN's *_get_buffer_size sources. The formulas are main's (V.19, 2026): equal to
v7.0.0's except for grouped convolution, where v7.0.0 under-allocates (kernels unchanged since v7.0.0).
On Helium, fully connected layers read precomputed weight sums (bias folded in, as arm_vector_sum_s8 makes
them since v7) from the context buffer: they are computed here and kept in flash.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .errors import TinygenError
from .ops import Layer, LowerContext

ENV = "TINYGEN_CMSIS_NN"
CFLAGS = ["-DTINYGEN_USE_CMSIS_NN", "-Icmsis-nn/Include"]  # with sources() placed under cmsis-nn/
MVE_CORES = {"cortex-m55", "cortex-m85"}
DSP_CORES = {"cortex-m4", "cortex-m7", "cortex-m33", "cortex-m35p"}
CH_IN_BLOCK_MVE = 124  # arm_nnsupportfunctions.h
# An Helium depthwise conv with one input channel and more outputs than this becomes a conv (GCC's value;
# armclang's 8 converts fewer layers, which then need no scratch).
DW_TO_CONV_THRESHOLD = 1


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


# ---- scratch sizes, ported from CMSIS-NN's get_buffer_size functions (C integer semantics) ----

def _cdiv(a: int, b: int) -> int:
    """C's integer division (truncates towards zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _cmod(a: int, b: int) -> int:
    return a - b * _cdiv(a, b)


def _is_conv_1x1(p: dict) -> bool:
    return (p["pad_w"] == 0 and p["pad_h"] == 0 and p["k_w"] == 1 and p["k_h"] == 1 and p["dil_w"] == 1
            and p["dil_h"] == 1 and p["in_c"] == p["filter_c"])


def _is_conv_1_x_n(p: dict) -> bool:
    return (p["in_h"] == 1 and p["dil_w"] == 1 and p["k_h"] == 1 and (p["stride_w"] * p["in_c"]) % 4 == 0
            and p["in_c"] == p["filter_c"])


def _conv_generic(p: dict, arch_: str) -> int:
    cols = p["in_c"] * p["k_w"] * p["k_h"]
    if arch_ == "mve":
        return 4 * ((cols + 15) // 16) * 16  # four im2col rows of whole 16-byte lanes
    aligned = (cols + 3) // 4 * 4
    return 2 * aligned * 2  # two int16 im2col rows


def _conv_1_x_n_mve(p: dict) -> int:
    in_x, pad_x, k_x, out_x, s_x, c = p["in_w"], p["pad_w"], p["k_w"], p["out_w"], p["stride_w"], p["in_c"]
    asym = _cmod((out_x - 1) * s_x + k_x - in_x, 2)
    right = max(1, _cdiv(pad_x + asym + s_x - 1, s_x)) if pad_x + asym != 0 else 0
    left = max(1, _cdiv(pad_x + s_x - 1, s_x)) if pad_x != 0 else 0
    if right + max(out_x - (right + left), 0) + left != out_x:
        return _conv_generic(p, "mve")
    pad_left = pad_x * c
    pad_right = right * c if asym else pad_left
    return max(k_x * c + pad_left, (k_x - 1) * c + pad_right)


def conv_exact(p: dict, arch_: str) -> bool:
    """Whether arm_convolve_wrapper_s8 computes this convolution as TFLM does. Its Helium 1xN kernel assumes
    the window overhangs the input by 2*pad (+1): when VALID padding leaves input columns unused it pads the
    last output or returns an error without computing: those layers keep the portable kernel."""
    if arch_ == "mve" and not _is_conv_1x1(p) and _is_conv_1_x_n(p):
        total = (p["out_w"] - 1) * p["stride_w"] + p["k_w"] - p["in_w"]
        return total >= 0 and 2 * p["pad_w"] + total % 2 == total
    return True


def conv_scratch(p: dict, arch_: str) -> int:
    """arm_convolve_wrapper_s8_get_buffer_size{,_dsp,_mve}."""
    if _is_conv_1x1(p):
        return 0  # the DSP 1x1 kernel's buffer exists only under armclang and is optional there
    if _is_conv_1_x_n(p) and arch_ == "mve":
        return _conv_1_x_n_mve(p)
    return _conv_generic(p, arch_)


def _dw_as_conv(p: dict, arch_: str) -> dict | None:
    """On Helium, a depthwise conv with one input channel runs as a convolution: its parameters, else None."""
    if arch_ == "mve" and p["in_c"] == 1 and p["out_c"] > DW_TO_CONV_THRESHOLD:
        return dict(p, filter_c=1)
    return None


def depthwise_exact(p: dict, arch_: str) -> bool:
    conv = _dw_as_conv(p, arch_)
    return conv is None or conv_exact(conv, arch_)


def depthwise_scratch(p: dict, arch_: str) -> int:
    """arm_depthwise_conv_wrapper_s8_get_buffer_size{,_dsp,_mve}."""
    conv = _dw_as_conv(p, arch_)
    if conv is not None:  # the convolution's scratch, then the transposed filter
        return conv_scratch(conv, arch_) + p["out_c"] * p["k_h"] * p["k_w"]
    if p["in_c"] == p["out_c"] and p["n"] == 1 and p["dil_w"] == 1 and p["dil_h"] == 1:
        if arch_ == "mve":
            return 4 * CH_IN_BLOCK_MVE * p["k_w"] * p["k_h"]
        if p["k_w"] == 3 and p["k_h"] == 3 and p["pad_h"] <= 1 and p["pad_w"] <= 1:
            return 0  # arm_depthwise_conv_3x3_s8
        return p["in_c"] * p["k_w"] * p["k_h"] * 2 if arch_ == "dsp" else 0
    return 0


def avgpool_scratch(p: dict, arch_: str) -> int:
    """arm_avgpool_s8_get_buffer_size{,_dsp,_mve}: one int32 sum per channel on DSP."""
    return p["depth"] * 4 if arch_ == "dsp" else 0


# ---- per-template retargeting ----

def _const(layer: Layer, what: str) -> np.ndarray:
    return next(c.values for c in layer.consts if c.name.endswith(f"_{what}"))


def _fully_connected(layer: Layer, ctx: LowerContext) -> None:
    p = layer.params
    p["kernel"] = "arm_fully_connected_per_channel_s8" if p["per_channel"] else "arm_fully_connected_s8"
    if arch(ctx.core) == "mve":
        # arm_vector_sum_s8(sums, accum, out_depth, weights, input_offset, filter_offset=0, bias), in int32.
        w = _const(layer, "weights").astype(np.int64)
        sums = _const(layer, "bias").astype(np.int64) + p["input_offset"] * w.sum(axis=1)
        sums = ((sums + 2**31) % 2**32 - 2**31).astype(np.int32)
        layer.consts.append(ctx.const(layer.op, "kernel_sums", "int32_t", sums))


def _conv2d(layer: Layer, ctx: LowerContext) -> None:
    if conv_exact(layer.params, arch(ctx.core)):
        layer.params["kernel"] = "arm_convolve_wrapper_s8"
        layer.scratch_bytes = conv_scratch(layer.params, arch(ctx.core))


def _depthwise_conv2d(layer: Layer, ctx: LowerContext) -> None:
    if depthwise_exact(layer.params, arch(ctx.core)):
        layer.params["kernel"] = "arm_depthwise_conv_wrapper_s8"
        layer.scratch_bytes = depthwise_scratch(layer.params, arch(ctx.core))


def _pool2d(layer: Layer, ctx: LowerContext) -> None:
    if layer.params["kernel"] == "tg_avgpool_s8":
        layer.params["kernel"] = "arm_avgpool_s8"
        layer.scratch_bytes = avgpool_scratch(layer.params, arch(ctx.core))
    else:
        layer.params["kernel"] = "arm_max_pool_s8"


def _renamed(portable: str, cmsis: str):
    """Kernels with the same arguments and no scratch; other forms (broadcasting) stay portable."""
    def swap(layer: Layer, ctx: LowerContext) -> None:
        if layer.params["kernel"] == portable:
            layer.params["kernel"] = cmsis
    return swap


RETARGET = {
    "fully_connected": _fully_connected,
    "conv2d": _conv2d,
    "depthwise_conv2d": _depthwise_conv2d,
    "pool2d": _pool2d,
    "softmax": _renamed("tg_softmax_s8", "arm_softmax_s8"),
    "add": _renamed("tg_elementwise_add_s8", "arm_elementwise_add_s8"),
    "mul": _renamed("tg_elementwise_mul_s8", "arm_elementwise_mul_s8"),
}


def retarget(layer: Layer, ctx: LowerContext) -> Layer:
    """On the cmsis-nn backend, give the layer to CMSIS-NN if it has an exact kernel for it."""
    if ctx.backend == "cmsis-nn" and not layer.alias and layer.template in RETARGET:
        RETARGET[layer.template](layer, ctx)
    return layer
