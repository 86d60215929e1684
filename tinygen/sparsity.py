"""What a weight matrix's zeros look like: the facts a sparse kernel and the report choose from.

A layer's weights as [out_c, depth] int8 (a convolution's taps (ky, kx, c) flattened along depth, as the
GEMM kernels read them). TFLite int8 weights have zero point 0, so a zero weight adds nothing to the sum:
leaving it out keeps the result exact.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLOCK = 4  # a zero block: 4 consecutive weights of a row along depth (one packed word of the dense layout)


@dataclass(frozen=True)
class Sparsity:
    """A weight matrix's zeros."""
    out_c: int
    depth: int
    zeros: int  # zero weights
    zero_channels: tuple[int, ...]  # output channels whose weights are all zero
    zero_inputs: tuple[int, ...]  # input channels (a convolution's: across every tap and output) all zero
    in_c: int  # input channels (depth / taps)
    zero_blocks: int  # all-zero aligned blocks of BLOCK weights along depth (a tail block counted if zero)
    n_of_m: tuple[int, int] | None  # the tightest (n, m), m in 4, 8, 16, with at most n nonzeros per m weights

    @property
    def weights(self) -> int:
        return self.out_c * self.depth

    @property
    def nonzeros(self) -> int:
        return self.weights - self.zeros

    @property
    def fraction(self) -> float:
        """The fraction of zero weights."""
        return self.zeros / self.weights if self.weights else 0.0

    @property
    def pattern(self) -> str:
        """A short name of what was found: dense, N:M, channels/inputs removed, unstructured."""
        if self.zeros == 0:
            return "dense"
        found = []
        if self.n_of_m is not None:
            found.append(f"{self.n_of_m[0]}:{self.n_of_m[1]}")
        if self.zero_channels:
            found.append(f"{len(self.zero_channels)} zero outputs")
        if self.zero_inputs:
            found.append(f"{len(self.zero_inputs)} zero inputs")
        return ", ".join(found) if found else "unstructured"


def n_of_m(weights: np.ndarray, m: int) -> int | None:
    """The most nonzeros in any aligned group of m weights along depth, or None where depth is not whole groups."""
    out_c, depth = weights.shape
    if depth % m or depth == 0:
        return None
    return int((weights.reshape(out_c, depth // m, m) != 0).sum(axis=2).max(initial=0))


def analyse(weights: np.ndarray, in_c: int | None = None) -> Sparsity:
    """The zeros of [out_c, depth] int8 weights; `in_c`: the input channels of a convolution whose depth is
    taps x in_c (input channel = depth index % in_c), else every depth index is its own input."""
    out_c, depth = weights.shape
    in_c = depth if in_c is None else in_c
    nonzero = weights != 0
    per_input = nonzero.reshape(out_c, depth // in_c, in_c).any(axis=(0, 1))
    padded = np.zeros((out_c, -(-depth // BLOCK) * BLOCK), bool)
    padded[:, :depth] = nonzero
    blocks = int((~padded.reshape(out_c, -1, BLOCK).any(axis=2)).sum())
    structured = None
    for m in (4, 8, 16):  # the tightest ratio found: 2:4 before 4:8
        n = n_of_m(weights, m)
        if n is not None and 2 * n <= m and (structured is None or n / m < structured[0] / structured[1]):
            structured = (n, m)
    return Sparsity(out_c, depth, int(weights.size - nonzero.sum()),
                    tuple(int(c) for c in np.flatnonzero(~nonzero.any(axis=1))),
                    tuple(int(c) for c in np.flatnonzero(~per_input)), in_c, blocks, structured)
