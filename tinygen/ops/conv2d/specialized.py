"""CONV_2D on the specialized backend: pointwise convolutions (1x1, stride 1, no padding, one group) are a
matrix product over all pixels, tg_gemm_s8 (see ../fully_connected/specialized.py); others keep their kernel."""
from __future__ import annotations

from ..common import Layer
from ..fully_connected.specialized import gemm_layer


def retarget(layer: Layer, arch: str) -> Layer | None:
    p = layer.params
    g = p.win
    pointwise = (g.k_h, g.k_w, g.stride_h, g.stride_w, g.pad_h, g.pad_w, g.dil_h, g.dil_w) == (1, 1, 1, 1, 0, 0, 1, 1)
    if layer.kernel != "tg_convolve_s8" or not pointwise or p.filter_c != p.in_c or p.residual is not None:
        return None
    q = p.quant
    return gemm_layer(layer, layer.const("weights").values.reshape(p.out_c, p.in_c), q.input_offset, q.output_offset,
                      q.act, g.n * g.in_h * g.in_w, arch)
