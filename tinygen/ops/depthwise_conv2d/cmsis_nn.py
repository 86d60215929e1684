"""DEPTHWISE_CONV_2D on CMSIS-NN: arm_depthwise_conv_wrapper_s8 (int4 weights: _s4) and its scratch per arch
(arm_depthwise_conv_wrapper_s8_get_buffer_size{,_dsp,_mve}, _s4_)."""
from __future__ import annotations

from ..common import Layer
from ..conv2d.cmsis_nn import conv_exact, conv_scratch

CH_IN_BLOCK_MVE = 124  # arm_nnsupportfunctions.h
# An Helium depthwise conv with one input channel and more outputs than this becomes a conv (GCC's value;
# armclang's 8 converts fewer layers, which then need no scratch).
DW_TO_CONV_THRESHOLD = 1


def _runs_as_conv(p, arch: str) -> bool:
    """On Helium, a depthwise conv with one input channel runs as a convolution (filter over 1 channel)."""
    return arch == "mve" and p.in_c == 1 and p.out_c > DW_TO_CONV_THRESHOLD


def depthwise_exact(p, arch: str) -> bool:
    return not _runs_as_conv(p, arch) or conv_exact(p.win, p.in_c, 1, arch)


def depthwise_scratch(p, arch: str) -> int:
    g = p.win
    if _runs_as_conv(p, arch):  # the convolution's scratch, then the transposed filter
        return conv_scratch(g, p.in_c, 1, arch) + p.out_c * g.k_h * g.k_w
    if p.in_c == p.out_c and g.n == 1 and g.dil_w == 1 and g.dil_h == 1:
        if arch == "mve":
            return 4 * CH_IN_BLOCK_MVE * g.k_w * g.k_h
        if g.k_w == 3 and g.k_h == 3 and g.pad_h <= 1 and g.pad_w <= 1:
            return 0  # arm_depthwise_conv_3x3_s8
        return p.in_c * g.k_w * g.k_h * 2 if arch == "dsp" else 0
    return 0


def depthwise_scratch_s4(p, arch: str) -> int:
    """arm_depthwise_conv_wrapper_s4_get_buffer_size{,_dsp,_mve}: the s8 optimized kernel's buffer where the
    s4 one runs (its plain-C size is the DSP one), else none."""
    g = p.win
    if p.in_c != p.out_c or g.n != 1 or g.dil_w != 1 or g.dil_h != 1:
        return 0
    return 4 * CH_IN_BLOCK_MVE * g.k_w * g.k_h if arch == "mve" else p.in_c * g.k_w * g.k_h * 2


def retarget(layer: Layer, arch: str) -> Layer | None:
    if layer.kernel == "tg_depthwise_conv_s4":
        # arm_depthwise_conv_s4 misreads the filter with an odd number of input channels and a multiplier > 1
        # (measured against TFLM, tests/ops/test_int4.py): those layers keep the portable kernel.
        if layer.params.in_c % 2 and layer.params.ch_mult > 1:
            return None
        return layer.replace(kernel="arm_depthwise_conv_wrapper_s4", scratch_bytes=depthwise_scratch_s4(layer.params,
                                                                                                       arch))
    if layer.kernel != "tg_depthwise_conv_s8" or not depthwise_exact(layer.params, arch):
        return None
    return layer.replace(kernel="arm_depthwise_conv_wrapper_s8", scratch_bytes=depthwise_scratch(layer.params, arch))


