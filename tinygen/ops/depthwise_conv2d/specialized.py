"""DEPTHWISE_CONV_2D on the specialized backend: multiplier 1 as tg_depthwise_s8 (kernels/tg_depthwise.h),
inlined with the layer's window; the offline half (folded bias, packed weights, the interior) is here."""
from __future__ import annotations

from ..common import InPlace, Layer, raster_safe
from ..fully_connected.specialized import (GemmParams, byte_blocks, folded_bias, pack_words, quant_arrays,
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


def retarget(layer: Layer, arch: str) -> Layer | None:
    p = layer.params
    if layer.kernel != "tg_depthwise_conv_s8" or p.ch_mult != 1:
        return None
    g, q = p.win, p.quant
    taps = layer.const("weights").values.reshape(g.k_h * g.k_w, p.out_c)  # [tap][channel], as TFLite stores it
    bias = folded_bias(layer.const("bias").values, taps.T, q.input_offset)
    if bias is None:
        return None
    _, mults, shifts = quant_arrays(layer, 0, 0)
    params = GemmParams(g.n * g.out_h * g.out_w, g.k_h * g.k_w, p.out_c, q.output_offset, q.act, True,
                        right_shifts_only(bias, taps.T, mults, shifts), p, window=g, in_c=p.in_c,
                        pad_value=-q.input_offset, interior=interior(g), block=BYTE_BLOCKS.get(arch, 0))
    # The byte layout (kernels/tg_depthwise_c.h): blocks of channels, each tap-major. Its kernel reads 4 pixels'
    # windows per block, so it has no in-place form (the word layout's raster order has).
    if params.block:
        return specialised(layer, "tg_depthwise_s8", params, byte_blocks(taps.T, params.block), bias, 0)
    return specialised(layer, "tg_depthwise_s8", params, pack_words(taps).reshape(-1), bias, 0, inplace(g, p.in_c))


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
