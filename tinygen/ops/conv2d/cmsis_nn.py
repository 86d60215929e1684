"""CONV_2D on CMSIS-NN: arm_convolve_wrapper_s8 (int4 weights: arm_convolve_wrapper_s4, ungrouped) where it
computes what TFLM computes, and its scratch per arch.

Scratch sizes follow CMSIS-NN's arm_convolve_wrapper_s8_get_buffer_size{,_dsp,_mve} (C integer semantics),
main's formulas (V.19, 2026): equal to v7.0.0's except for grouped convolution, where v7.0.0 under-allocates.
"""
from __future__ import annotations

from ..common import Layer
from ..window import Window


def _cdiv(a: int, b: int) -> int:
    """C's integer division (truncates towards zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _cmod(a: int, b: int) -> int:
    return a - b * _cdiv(a, b)


def _is_1x1(g: Window, in_c: int, filter_c: int) -> bool:
    return (g.pad_w == 0 and g.pad_h == 0 and g.k_w == 1 and g.k_h == 1 and g.dil_w == 1 and g.dil_h == 1
            and in_c == filter_c)


def _is_1_x_n(g: Window, in_c: int, filter_c: int) -> bool:
    return g.in_h == 1 and g.dil_w == 1 and g.k_h == 1 and (g.stride_w * in_c) % 4 == 0 and in_c == filter_c


def _generic(g: Window, in_c: int, arch: str) -> int:
    cols = in_c * g.k_w * g.k_h
    if arch == "mve":
        return 4 * ((cols + 15) // 16) * 16  # four im2col rows of whole 16-byte lanes
    aligned = (cols + 3) // 4 * 4
    return 2 * aligned * 2  # two int16 im2col rows


def _1_x_n_mve(g: Window, c: int) -> int:
    in_x, pad_x, k_x, out_x, s_x = g.in_w, g.pad_w, g.k_w, g.out_w, g.stride_w
    asym = _cmod((out_x - 1) * s_x + k_x - in_x, 2)
    right = max(1, _cdiv(pad_x + asym + s_x - 1, s_x)) if pad_x + asym != 0 else 0
    left = max(1, _cdiv(pad_x + s_x - 1, s_x)) if pad_x != 0 else 0
    if right + max(out_x - (right + left), 0) + left != out_x:
        return _generic(g, c, "mve")
    pad_left = pad_x * c
    pad_right = right * c if asym else pad_left
    return max(k_x * c + pad_left, (k_x - 1) * c + pad_right)


def conv_exact(g: Window, in_c: int, filter_c: int, arch: str) -> bool:
    """Whether arm_convolve_wrapper_s8 computes this convolution as TFLM does. Its Helium 1xN kernel assumes
    the window overhangs the input by 2*pad (+1): when VALID padding leaves input columns unused it pads the
    last output or returns an error without computing: those layers keep the portable kernel."""
    if arch == "mve" and not _is_1x1(g, in_c, filter_c) and _is_1_x_n(g, in_c, filter_c):
        total = (g.out_w - 1) * g.stride_w + g.k_w - g.in_w
        return total >= 0 and 2 * g.pad_w + total % 2 == total
    return True


def conv_scratch(g: Window, in_c: int, filter_c: int, arch: str) -> int:
    if _is_1x1(g, in_c, filter_c):
        return 0  # the DSP 1x1 kernel's buffer exists only under armclang and is optional there
    if _is_1_x_n(g, in_c, filter_c) and arch == "mve":
        return _1_x_n_mve(g, in_c)
    return _generic(g, in_c, arch)


def conv_scratch_s4(g: Window, in_c: int, arch: str) -> int:
    """arm_convolve_wrapper_s4_get_buffer_size{,_dsp,_mve}: no 16-bit alignment of the im2col rows, and on
    Helium a 1xN convolution whose padding fits needs none."""
    if _is_1x1(g, in_c, in_c):
        return 0
    if arch != "mve":
        return 2 * 2 * in_c * g.k_w * g.k_h  # two int16 im2col rows
    if _is_1_x_n(g, in_c, in_c) and _1_x_n_mve(g, in_c) != _generic(g, in_c, "mve"):
        return 0
    return _generic(g, in_c, "mve")


def retarget(layer: Layer, arch: str) -> Layer | None:
    p = layer.params
    if layer.kernel == "tg_convolve_s4":  # CMSIS-NN's s4 convolutions have no groups
        if p.filter_c != p.in_c or not conv_exact(p.win, p.in_c, p.filter_c, arch):
            return None
        return layer.replace(kernel="arm_convolve_wrapper_s4", scratch_bytes=conv_scratch_s4(p.win, p.in_c, arch))
    if layer.kernel != "tg_convolve_s8" or not conv_exact(p.win, p.in_c, p.filter_c, arch):
        return None
    return layer.replace(kernel="arm_convolve_wrapper_s8", scratch_bytes=conv_scratch(p.win, p.in_c, p.filter_c, arch))
