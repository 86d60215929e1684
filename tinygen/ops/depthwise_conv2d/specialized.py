"""DEPTHWISE_CONV_2D on the specialized backend: multiplier 1 as tg_depthwise_s8 (kernels/tg_depthwise.h),
inlined with the layer's window; the offline half (folded bias, weights widened to 16-bit pairs or in bytes, the
short form's per-channel requantization records, the interior) is here."""
from __future__ import annotations

import numpy as np

from ..common import InPlace, Layer, raster_safe
from ..fully_connected.specialized import (BYTE_LAYOUT_ARCHS, GemmParams, byte_blocks, folded_bias, quant_arrays,
                                           right_shifts_only, specialised)
from ..window import Window


# Channels per block of the byte layout: one on a scalar core (4 pixels' accumulators and the taps in registers),
# on the host TG_DEPTHWISE_C_CHANNELS, as many as 4 pixels keep in vector registers (16 measured fastest there:
# 32 spills, 8 leaves lanes idle).
DEPTHWISE_BLOCK_HOST = 16
BYTE_BLOCKS = {"c": 1, "host": DEPTHWISE_BLOCK_HOST}


def interior(g: Window) -> tuple[int, int, int, int]:
    """Output rows [y0, y1) and columns [x0, x1) whose whole window lies inside the input."""
    def span(pad: int, stride: int, k: int, dil: int, size: int, out: int) -> tuple[int, int]:
        lo = min(-(-pad // stride), out)
        hi = (size - 1 - (k - 1) * dil + pad) // stride + 1
        return lo, max(lo, min(hi, out))
    return (*span(g.pad_h, g.stride_h, g.k_h, g.dil_h, g.in_h, g.out_h),
            *span(g.pad_w, g.stride_w, g.k_w, g.dil_w, g.in_w, g.out_w))


MAX_ROWS = 16  # TG_DEPTHWISE_MAX_ROWS: the filter rows tg_depthwise_s8 keeps pointers to


def widened_pairs(taps: np.ndarray) -> np.ndarray:
    """[taps, channels] int8 → the DSP kernel's int32 words: per tap and group of four channels c..c+3 (the last
    zero-padded) the 16-bit pairs (w[c], w[c+2]) and (w[c+1], w[c+3]), low half first, as SXTB16 pairs an input
    word's bytes."""
    count, channels = taps.shape
    padded = np.zeros((count, -(-channels // 4) * 4), np.int32)
    padded[:, :channels] = taps
    groups = padded.reshape(count, -1, 4)
    halves = groups[:, :, [0, 1]], groups[:, :, [2, 3]]  # (low, high) of the words (w[c], w[c+2]), (w[c+1], w[c+3])
    words = (halves[0] & 0xFFFF) | (halves[1] << 16)
    return words.astype(np.int32).reshape(-1)


def retarget(layer: Layer, arch: str) -> Layer | None:
    p = layer.params
    if layer.kernel != "tg_depthwise_conv_s8" or p.ch_mult != 1:
        return None
    g, q = p.win, p.quant
    taps = layer.const("weights").values.reshape(g.k_h * g.k_w, p.out_c)  # [tap][channel], as TFLite stores it
    bias = folded_bias(layer.const("bias").values, taps.T, q.input_offset)
    byte_layout = arch in BYTE_LAYOUT_ARCHS
    if bias is None or (not byte_layout and g.k_h > MAX_ROWS):
        return None
    _, mults, shifts = quant_arrays(layer, 0, 0)
    short = right_shifts_only(bias, taps.T, mults, shifts)
    # The DSP path's short form also needs the output offset to fit its rounding (tg_depthwise_store).
    rounding = offset_rounding(bias, taps.T, mults, shifts, q.output_offset) if short and not byte_layout else None
    params = GemmParams(g.n * g.out_h * g.out_w, g.k_h * g.k_w, p.out_c, q.output_offset, q.act, True,
                        short if byte_layout else rounding is not None, p, window=g, in_c=p.in_c,
                        pad_value=-q.input_offset, interior=interior(g), block=BYTE_BLOCKS.get(arch, 0))
    if byte_layout:
        # The byte layout (kernels/tg_depthwise_c.h): blocks of channels, each tap-major. Its kernel reads 4 pixels'
        # windows per block, so it has no in-place form (the word layout's raster order has).
        return specialised(layer, "tg_depthwise_s8", params, byte_blocks(taps.T, params.block), bias, 0)
    # A row of pad values in scratch where some window leaves the input's rows (depthwise_function.c.j2)
    pad_row = g.in_w * p.in_c if params.interior[0] > 0 or params.interior[1] < g.out_h else 0
    if rounding is None:
        return specialised(layer, "tg_depthwise_s8", params, widened_pairs(taps), bias, pad_row,
                           inplace(g, p.in_c))
    # tg_depthwise_store's short form: accumulators doubled (weights and bias); per channel four words, the doubled
    # bias, multiplier, rounding with the output offset in it, exponent (tg_depthwise_s8's bias)
    channels = np.stack([2 * bias, np.broadcast_to(mults, bias.shape), rounding,
                         np.broadcast_to(-shifts, bias.shape)], axis=1).astype(np.int32).reshape(-1)
    out = specialised(layer, "tg_depthwise_s8", params, widened_pairs(2 * taps.astype(np.int32)), channels,
                      pad_row, inplace(g, p.in_c))
    return out.replace(consts=tuple(c for c in out.consts if c.role not in ("mult", "shift")))


def offset_rounding(bias: np.ndarray, weights: np.ndarray, mult: np.ndarray, shift: np.ndarray,
                    offset: int) -> np.ndarray | None:
    """Per channel 2^(e-1) + offset * 2^e (e = -shift), tg_depthwise_store's rounding with the output offset in
    it, or None where a high product plus it could leave int32 for some int8 input (right_shifts_only's bound)."""
    e = -shift.astype(np.int64)
    rounding = (1 << (e - 1)) + offset * (1 << e)
    bound = np.abs(bias.astype(object)) + 128 * np.abs(weights.astype(np.int64)).sum(axis=1).astype(object)
    fits = all(b * int(m) // 2**31 + 1 + abs(int(r)) + 1 < 2**31 for b, m, r in zip(bound, mult, rounding))
    return rounding.astype(np.int32) if fits else None


def inplace(g: Window, channels: int) -> tuple[InPlace, ...]:
    """tg_depthwise_s8 visits output pixels in raster order, each pixel's channels reading their windows before
    writing: in place as is where raster_safe says so; where the window reaches back (stride 1 SAME: output rows
    the size of input rows) through a copy of the rows a window spans (tg_depthwise_inplace_s8)."""
    if raster_safe(g):
        return (InPlace(0, ("tg_depthwise_s8",)),)
    if (g.stride_h, g.stride_w, g.out_h, g.out_w) != (1, 1, g.in_h, g.in_w):
        return ()
    return (InPlace(0, ("tg_depthwise_s8",), kernel="tg_depthwise_inplace_s8",
                    scratch_bytes=((g.k_h - 1) * g.dil_h + 1) * g.in_w * channels, slower=True),)
