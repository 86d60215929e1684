"""DEPTHWISE_CONV_2D on the specialized backend: multiplier 1 as tg_depthwise_s8 (kernels/tg_depthwise.h),
inlined with the layer's window; the offline half (folded bias, packed weights, the interior) is here."""
from __future__ import annotations

from ..common import Layer
from ..fully_connected.specialized import (GemmParams, folded_bias, pack_words, quant_arrays, right_shifts_only,
                                           specialised)
from ..window import Window


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
                        pad_value=-q.input_offset, interior=interior(g), block=1 if arch == "c" else 0)
    # The byte layout (kernels/tg_depthwise_c.h): channel by channel, its taps in a row.
    weights = taps.T.reshape(-1) if params.block else pack_words(taps).reshape(-1)
    return specialised(layer, "tg_depthwise_s8", params, weights, bias, 0)
