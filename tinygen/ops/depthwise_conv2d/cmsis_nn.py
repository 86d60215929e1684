"""DEPTHWISE_CONV_2D on CMSIS-NN: arm_depthwise_conv_wrapper_s8 and its scratch per arch
(arm_depthwise_conv_wrapper_s8_get_buffer_size{,_dsp,_mve})."""
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


def retarget(layer: Layer, arch: str) -> Layer | None:
    if layer.kernel != "tg_depthwise_conv_s8" or not depthwise_exact(layer.params, arch):
        return None
    return layer.replace(kernel="arm_depthwise_conv_wrapper_s8", scratch_bytes=depthwise_scratch(layer.params, arch))


