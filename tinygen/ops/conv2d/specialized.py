"""CONV_2D on the specialized backend: a pointwise convolution (1x1, stride 1, no padding) is a matrix product
over all pixels, tg_gemm_s8; any other ungrouped one a matrix product over its im2col rows, tg_conv_gemm_s8 (see
../fully_connected/specialized.py). Grouped convolutions and those with a residual ADD keep their kernel."""
from __future__ import annotations

from ..common import Layer
from ..fully_connected.specialized import gemm_layer


def retarget(layer: Layer, arch: str) -> Layer | None:
    p = layer.params
    g = p.win
    if layer.kernel != "tg_convolve_s8" or p.filter_c != p.in_c or p.residual is not None:
        return None
    pointwise = (g.k_h, g.k_w, g.stride_h, g.stride_w, g.pad_h, g.pad_w, g.dil_h, g.dil_w) == (1, 1, 1, 1, 0, 0, 1, 1)
    q = p.quant
    weights = layer.const("weights").values.reshape(p.out_c, -1)
    if pointwise:
        return gemm_layer(layer, weights, q.input_offset, q.output_offset, q.act, g.n * g.in_h * g.in_w, arch)
    return gemm_layer(layer, weights, q.input_offset, q.output_offset, q.act, g.n * g.out_h * g.out_w, arch,
                      window=g, in_c=p.in_c)
