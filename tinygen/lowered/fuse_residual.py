"""A residual ADD fused into the convolution that produces one operand: the portable kernel becomes
tg_convolve_add_s8, the specialized backend's matrix products (kernels/tg_gemm.h) take the ADD into their store.

Each output element is the ADD of the requantized convolution value and the residual element, so the
convolution's output tensor never exists; the residual may then be overwritten in place. Same arithmetic in
the same order as the two operators: bit-exact by construction.
"""
from __future__ import annotations

import dataclasses
from collections import Counter

from ..ops.common import InPlace, Layer

# The convolution kernels that take a residual ADD → the kernel they then call.
FUSES = {"tg_convolve_s8": "tg_convolve_add_s8", "tg_gemm_s8": "tg_gemm_s8", "tg_conv_gemm_s8": "tg_conv_gemm_s8",
         "tg_sparse_gemm_s8": "tg_sparse_gemm_s8", "tg_conv_sparse_gemm_s8": "tg_conv_sparse_gemm_s8",
         "tg_pair_gemm_s8": "tg_pair_gemm_s8", "tg_conv_pair_gemm_s8": "tg_conv_pair_gemm_s8"}


def fuse_residual_adds(lowered):
    """Fold each elementwise ADD(conv output, other) into the conv's kernel call.

    Conditions: the conv runs tinygen's tg_convolve_s8 or a specialized tg_gemm_s8 / tg_conv_gemm_s8 (FUSES),
    the ADD tg_elementwise_add_s8 (same shapes, no broadcasting), the conv's output is read by the ADD alone and
    is no model output, and `other` exists when the conv runs. Of two conv operands the later one is fused (the earlier one's output is ready).
    """
    layers = list(lowered.layers)
    outputs = set(lowered.graph.outputs)
    producer = {t: i for i, layer in enumerate(layers) for t in layer.outputs}
    readers = Counter(t for layer in layers for t in set(layer.inputs))
    removed: set[int] = set()
    for j, add in enumerate(layers):
        if add.kernel != "tg_elementwise_add_s8":
            continue
        best = None
        for k in (0, 1):
            a, other = add.inputs[k], add.inputs[1 - k]
            i = producer.get(a)
            if i is None or a == other or readers[a] != 1 or a in outputs:
                continue
            conv = layers[i]
            if conv.kernel not in FUSES or conv.op.kind != "CONV_2D" or conv.fused:
                continue
            if producer.get(other, -1) >= i:
                continue
            if best is None or i > best[0]:
                best = (i, k)
        if best is None:
            continue
        i, k = best
        layers[i] = _fused(layers[i], add, k)
        producer[add.outputs[0]] = i
        removed.add(j)
    return lowered.replace(layers=tuple(layer for j, layer in enumerate(layers) if j not in removed))


def _fused(conv: Layer, add: Layer, k: int) -> Layer:
    """conv + ADD; the conv's value is ADD input k: it becomes input 1 of tg_add_params (the sum of the two
    rescaled operands is an integer addition, so the order of the operands does not matter)."""
    residual = add.params.add if k == 0 else add.params.add.swapped()
    kernel = FUSES[conv.kernel]
    return conv.replace(
        kernel=kernel, params=dataclasses.replace(conv.params, residual=residual),
        inputs=(conv.inputs[0], add.inputs[1 - k]), outputs=add.outputs, fused=conv.fused + (add.op,) + add.fused,
        macs=conv.macs + add.macs, summary=conv.summary + f" + ADD (operator {add.op.index})",
        # Element (q, c) of the residual is read only to compute output element (q, c): any order is safe.
        inplace=(InPlace(1, (kernel,)),))
