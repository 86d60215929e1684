"""FULLY_CONNECTED on the specialized backend: tg_gemm_s8 (kernels/tg_gemm.h) inlined with the layer's sizes.

The offline half of that kernel lives here, shared with pointwise CONV_2D: the bias with the input offset
folded in, and the weights packed into the words and order its inner loop reads.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..common import Activation, Const, InPlace, Layer, const


BYTE_LAYOUT_ARCHS = ("c", "host")  # the code paths of kernels/tg_gemm_c.h and tg_depthwise_c.h
BYTE_BLOCK_HOST = 32  # the host's channels per block (TG_GEMM_C_CHANNELS, the widest)


@dataclass(frozen=True)
class GemmParams:
    """A tg_gemm_s8 call: y[pixels][channels] from x[pixels][depth]."""
    pixels: int
    depth: int
    channels: int
    output_offset: int
    act: Activation
    per_channel: bool  # else the one multiplier and shift below
    right_shifts_only: bool  # tg_gemm_requantize's short rounding holds for every channel (checked here)
    source: Any  # the operator's own parameters
    mult: int = 0
    shift: int = 0
    window: Any = None  # a convolution's ops.window.Window (tg_conv_gemm_s8 over im2col rows), else None
    in_c: int = 0  # with a window: input channels
    pad_value: int = 0  # with a window: the input zero point
    interior: tuple[int, int, int, int] = (0, 0, 0, 0)  # depthwise: output rows y0..y1, columns x0..x1 with no padding
    block: int = 0  # the byte layout's channels per block (kernels/tg_gemm_c.h); 0: the word layout of tg_gemm.h
    residual: Any = None  # a fused residual ADD's ops.add parameters (lowered/fuse_residual.py), input 1 the product
    paired: int = 0  # the DSP path's paired layout: channels per block (paired_weights); 0: packed_weights
    rounded: bool = False  # the DSP path's per-channel rounding constants, output offset folded in ("round")
    sparse: int = 0  # the sparse kernel's gathered input bytes per k (sparse_entries); 0: dense weights
    nonzeros: int = 0  # with `sparse`: the weights stored and multiplied (fillers included)
    zero_channels: bool = False  # with `sparse`: some output channel has no nonzero weight
    grouped: bool = False  # with `sparse`: paired entries over groups of 4 inputs (pair_entries), else sparse_entries

    @property
    def col_bytes(self) -> int:
        """tg_conv_gemm_s8's two im2col rows (whole words), or tg_conv_gemm_bytes_s8's and tg_conv_sparse_gemm_s8's
        four."""
        if not self.window:
            return 0
        if self.sparse:
            return 4 * self.depth if self.sparse == 4 else 8 * self.depth  # TG_SPARSE_PIXELS rows
        return 4 * self.depth if self.block else 2 * ((self.depth + 3) // 4 * 4)



def folded_bias(bias: np.ndarray, weights: np.ndarray, input_offset: int) -> np.ndarray | None:
    """bias + input_offset * (row sums of weights), or None where it leaves int32 (the kernel would differ)."""
    sums = bias.astype(np.int64) + input_offset * weights.astype(np.int64).sum(axis=1)
    if np.any(sums < -2**31) or np.any(sums >= 2**31):
        return None
    return sums.astype(np.int32)


def pack_words(rows: np.ndarray) -> np.ndarray:
    """[r, n] int8 → [r, ceil(n / 4)] int32 words, each row zero-padded. Byte j of a word is bits 8j..8j+7,
    whatever the target's byte order (the kernels read words as numbers)."""
    count, n = rows.shape
    words = (n + 3) // 4
    padded = np.zeros((count, 4 * words), np.uint8)
    padded[:, :n] = rows.view(np.uint8)
    shifted = padded.reshape(count, words, 4).astype(np.uint32) << (8 * np.arange(4, dtype=np.uint32))
    return shifted.sum(axis=2, dtype=np.uint32).view(np.int32)


def packed_weights(weights: np.ndarray) -> np.ndarray:
    """[channels, depth] int8 → int32 words: rows zero-padded to whole words, channels 2i and 2i+1 interleaved
    word by word, an odd last channel's words after them (the order tg_gemm_s8 reads them)."""
    rows = pack_words(weights)
    pairs = len(rows) // 2 * 2
    interleaved = rows[:pairs].reshape(-1, 2, rows.shape[1]).transpose(0, 2, 1).reshape(-1)
    return np.concatenate([interleaved, rows[pairs:].reshape(-1)])


def paired_weights(weights: np.ndarray, block: int) -> np.ndarray | None:
    """[channels, depth] int8 → the DSP path's paired layout, or None where it would not be exact.

    Channels 2i and 2i+1 share 16-bit halves h = 256 w[2i+1][k] + w[2i][k]: SMLAD of the raw word adds
    x * h (256 times channel 2i+1's products plus channel 2i's), SXTB16 of it gives channel 2i's weights, so
    one weight word feeds 4 MACs with one SXTB16 instead of two, and channel 2i+1's sum is the difference / 256.
    Halves pair as SXTB16 pairs the input bytes: word e of input word i holds k = 4i and 4i+2, word o 4i+1 and
    4i+3. With `block` 4, two pairs (4 channels) interleave their e, o words per input word (one pixel takes both
    at once); a last lone pair follows with its own (every pair on its own with `block` 2), an odd last
    channel's row as in packed_weights. Exact where every h fits int16 (no w[2i+1] = -128 over
    a negative w[2i]) and channel 2i+1's sum fits 24 bits (128 sum |w| < 2^23), the difference being taken
    modulo 2^32."""
    channels, depth = weights.shape
    pairs = channels // 2
    low, high = weights[0:2 * pairs:2].astype(np.int32), weights[1:2 * pairs:2].astype(np.int32)
    if np.any((high == -128) & (low < 0)) or np.any(128 * np.abs(high).sum(axis=1) >= 2**23):
        return None
    words = (depth + 3) // 4
    halves = np.zeros((pairs, 4 * words), np.int32)
    halves[:, :depth] = 256 * high + low
    halves = (halves & 0xFFFF).astype(np.uint32).reshape(pairs, words, 2, 2)  # [pair, word, k // 2 % 2, k % 2]
    pair_words = (halves[:, :, 0, :] | halves[:, :, 1, :] << 16).view(np.int32)  # [pair, word, e/o]
    quads = pairs // 2 * 2 if block == 4 else 0
    blocks = pair_words[:quads].reshape(-1, 2, words, 2).transpose(0, 2, 1, 3).reshape(-1)
    return np.concatenate([blocks, pair_words[quads:].reshape(-1), pack_words(weights[2 * pairs:]).reshape(-1)])


def byte_blocks(weights: np.ndarray, block: int) -> np.ndarray:
    """[channels, depth] int8 → the byte layout of tg_gemm_bytes_s8: blocks of `block` channels (the last one
    narrower), each k-major (channel j's weight k at k * width + j)."""
    return np.concatenate([weights[c:c + block].T.reshape(-1) for c in range(0, len(weights), block)])


def channel_block(pixels: int, arch: str) -> int:
    """tg_gemm_bytes_s8's channels per block (kernels/tg_gemm_c.h): on a scalar core 4 x 4 pixels, or 8 for a
    single pixel, as many accumulators as fit its registers; on the host 32, the int32 lanes of a few vector
    registers."""
    if arch == "host":
        return BYTE_BLOCK_HOST
    return 8 if pixels == 1 else 4


def extended_bytes(depth: int, pixels: int, arch: str) -> int:
    """The extended rows of the pixels the DSP path takes at once (two, or the only one: 2 words per input word
    and pixel); the plain C path needs none."""
    return 8 * min(pixels, 2) * ((depth + 3) // 4) if arch == "dsp" else 0


def acc_bounds(bias: np.ndarray, weights: np.ndarray) -> list[int]:
    """Per channel, a bound of |acc| for any int8 input (|x| <= 128)."""
    return list(np.abs(bias.astype(object)) + 128 * np.abs(weights.astype(np.int64)).sum(axis=1).astype(object))


def right_shifts_only(bias: np.ndarray, weights: np.ndarray, mult: np.ndarray, shift: np.ndarray) -> bool:
    """Whether every shift is a right shift, |acc| < 2^30 (the DSP path doubles it) and no channel's high product
    |acc| * mult / 2^31 (+1 for rounding) plus 2^(e-1) can reach 2^31, for any int8 input (|x| <= 128):
    tg_gemm_requantize's short rounding."""
    if np.any(shift >= 0):
        return False
    channels = len(bias)
    mult = np.broadcast_to(mult, channels).astype(object)
    shift = np.broadcast_to(shift, channels)
    return all(b < 2**30 and b * m // 2**31 + 1 + 2**(-int(s) - 1) < 2**31
               for b, m, s in zip(acc_bounds(bias, weights), mult, shift))


def rounding_constants(bias: np.ndarray, weights: np.ndarray, mult: np.ndarray, shift: np.ndarray,
                       output_offset: int) -> np.ndarray | None:
    """Per channel 2^(e-1) + output_offset * 2^e (e = -shift, every shift a right one): the DSP path's SMMLAR adds
    it to the high product, so the short rounding adds the output offset too, exactly (a multiple of 2^e);
    None where the high product plus it could leave int32 (tg_gemm_requantize_smmlar)."""
    e = [-int(s) for s in shift]
    constants = [2**(k - 1) + output_offset * 2**k for k in e]
    if not all(b * int(m) // 2**31 + 1 + abs(r) < 2**31
               for b, m, r in zip(acc_bounds(bias, weights), mult, constants)):
        return None
    return np.array(constants, dtype=np.int32)


SPARSE_PIXELS = {"dsp": 8, "c": 4, "host": 4}  # TG_SPARSE_PIXELS (kernels/tg_gemm.h)
# Gathered input bytes per k of the sparse kernel: with the DSP extension 8 pixels as 4 words of 16-bit pairs,
# else 4 bytes.
SPARSE_UNIT = {"dsp": 16, "c": 4, "host": 4}


def sparse_entries(weights: np.ndarray, unit: int) -> tuple[np.ndarray, np.ndarray] | None:
    """[channels, depth] int8 → (entry words, words per channel) of tg_sparse_gemm_s8, or None where a channel's
    word count leaves uint16. Per channel its nonzeros in order of k as (step, weight) entries, the step in
    bytes of gathered input (`unit` per k) from the previous entry's k (the first from k = 0); gaps beyond one
    byte's step take zero-weight entries, an odd count a last (0, 0). Two entries to a word, d0 | w0 << 8 |
    d1 << 16 | w1 << 24."""
    longest = 255 // unit
    words, counts = [], []
    for row in weights:
        steps, values, previous = [], [], 0
        for k in np.flatnonzero(row):
            gap = int(k) - previous
            while gap > longest:
                steps.append(longest)
                values.append(0)
                gap -= longest
            steps.append(gap)
            values.append(int(row[k]))
            previous = int(k)
        if len(steps) % 2:
            steps.append(0)
            values.append(0)
        pair = np.array(steps, np.uint32).reshape(-1, 2) * unit | \
            (np.array(values, np.int32).reshape(-1, 2).astype(np.uint32) & 0xFF) << 8
        words.append((pair[:, 0] | pair[:, 1] << 16).view(np.int32))
        counts.append(len(pair))
    if max(counts, default=0) >= 2**16:
        return None
    return np.concatenate(words).astype(np.int32), np.array(counts, np.uint16)


# The pairs of a group of 4 inputs the DSP path gathers, in the order of TG_PAIRS (kernels/tg_gemm.h).
PAIRS = ((0, 1), (2, 3), (0, 2), (1, 3), (0, 3), (1, 2))
PAIR_UNIT = 4 * len(PAIRS) * SPARSE_PIXELS["dsp"] // 4  # gathered bytes per k: 6 words per group and pixel
PAIR_SCRATCH_LIMIT = 16384  # the most gathered bytes a paired layer may take (its RAM grows 48 bytes per k)


def pair_entries(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """[channels, depth] int8 → (entry words, entries per channel) of the paired sparse kernel, or None where
    depth is not whole groups of 4 or a channel's count leaves uint16. Per channel and group of 4 inputs with a
    nonzero, one entry (w_a, w_b) for the first pair (a, b) of PAIRS that holds the group's nonzeros (two
    entries, pairs (0, 1) and (2, 3), for 3 or 4 nonzeros), its step in gathered blocks from the previous entry's
    (the first from block 0), gaps beyond 255 blocks bridged by zero entries: w_a | step << 8 | w_b << 16, bit 31
    set on a channel's last entry."""
    channels, depth = weights.shape
    if depth % 4:
        return None
    words, counts = [], []
    for row in weights.astype(np.int32):
        entries, previous = [], 0
        for g in range(depth // 4):
            group = row[4 * g:4 * g + 4]
            nonzero = set(np.flatnonzero(group).tolist())
            if not nonzero:
                continue
            chosen = [0, 1] if len(nonzero) > 2 else \
                [next(j for j, pair in enumerate(PAIRS) if nonzero <= set(pair))]
            for j in chosen:
                block = len(PAIRS) * g + j
                gap = block - previous
                while gap > 255:
                    entries.append((0, 255, 0))
                    gap -= 255
                a, b = PAIRS[j]
                entries.append((int(group[a]), gap, int(group[b])))
                previous = block
        values = np.array(entries, np.int64).reshape(-1, 3)
        last = np.arange(len(values)) == len(values) - 1  # the kernel's loop ends on bit 31
        words.append(((values[:, 0] & 0xFF) | values[:, 1] << 8 | (values[:, 2] & 0xFF) << 16 |
                      last.astype(np.int64) << 31).astype(np.uint32))
        counts.append(len(entries))
    if max(counts, default=0) >= 2**16:
        return None
    return np.concatenate(words).view(np.int32), np.array(counts, np.uint16)


# Estimated executed instructions (Cortex-M4 for "dsp", rv32imc otherwise; the host runs the plain C of
# rv32imc), fitted to QEMU counts of single 3x3 and 1x1 convolutions of 64 channels at 50-90 % zeros: the dense
# kernels' per MAC and per output (its requantization and store); the sparse kernel's per block of
# TG_SPARSE_PIXELS pixels: per k gathered (and copied from the im2col window), per entry word (2 weights for
# every pixel of the block) and per channel (its sums set up, requantized and stored).
DENSE_PER_MAC = {"dsp": 0.95, "c": 2.75, "host": 2.75}
DENSE_PER_OUTPUT = {"dsp": 12, "c": 15, "host": 15}
SPARSE_PER_K = {"dsp": 12, "c": 12, "host": 12}
SPARSE_PER_WINDOW_K = {"dsp": 14, "c": 8, "host": 8}
SPARSE_PER_WORD = {"dsp": 28, "c": 41, "host": 41}
SPARSE_PER_CHANNEL = {"dsp": 100, "c": 70, "host": 70}
SPARSE_MARGIN = 0.9  # the estimates' error: where the two are close the dense kernel stays
# A sparse kernel is chosen for speed, never at a real flash cost: its entries and counts may take at most this
# much of the dense weights' bytes (2:4 takes a 4-byte entry per group of 4 weights, plus the counts).
SPARSE_FLASH_LIMIT = 1.05
PAIR_PER_K = 20  # the paired kernel's gather per k and block of 8 pixels (6 pairs of 4 inputs, 8 pixels)
PAIR_PER_ENTRY = 18  # tg_pair_channel's loop: 2 weights x 8 pixels


def dense_cost(pixels: int, depth: int, channels: int, arch: str) -> float:
    """The dense kernels' estimated executed instructions."""
    return pixels * channels * (depth * DENSE_PER_MAC[arch] + DENSE_PER_OUTPUT[arch])


def sparse_cost(pixels: int, depth: int, channels: int, words: int, arch: str, window: bool) -> float:
    """tg_sparse_gemm_s8's (tg_conv_sparse_gemm_s8's with `window`) estimated executed instructions over `words`
    entry words."""
    per_k = SPARSE_PER_K[arch] + (SPARSE_PER_WINDOW_K[arch] if window else 0)
    return -(-pixels // SPARSE_PIXELS[arch]) * (depth * per_k + words * SPARSE_PER_WORD[arch] +
                                               channels * SPARSE_PER_CHANNEL[arch])


def pair_cost(pixels: int, depth: int, channels: int, entries: int, window: bool) -> float:
    """The paired sparse kernel's estimated executed Cortex-M4 instructions over `entries` entries."""
    per_k = PAIR_PER_K + (SPARSE_PER_WINDOW_K["dsp"] if window else 0)
    return -(-pixels // SPARSE_PIXELS["dsp"]) * (depth * per_k + entries * PAIR_PER_ENTRY +
                                                 channels * SPARSE_PER_CHANNEL["dsp"])


def sparse_choice(weights: np.ndarray, pixels: int, arch: str, window: bool):
    """(entries, counts, gathered bytes per k, paired) of the cheapest sparse kernel, or None where the dense
    kernel's estimate is not beaten by the margin or every sparse form would store more than SPARSE_FLASH_LIMIT
    of the dense bytes. Only weights at least half zero are tried."""
    if 2 * np.count_nonzero(weights) > weights.size:
        return None
    channels, depth = weights.shape
    best, best_cost = None, SPARSE_MARGIN * dense_cost(pixels, depth, channels, arch)
    def small(encoded) -> bool:
        entries, counts = encoded
        return entries.nbytes + counts.nbytes <= SPARSE_FLASH_LIMIT * weights.size

    single = sparse_entries(weights, SPARSE_UNIT[arch])
    if single is not None and small(single):
        cost = sparse_cost(pixels, depth, channels, len(single[0]), arch, window)
        if cost < best_cost:
            # the paired form must beat it by the margin too: it stores up to twice the bytes per nonzero
            best, best_cost = (*single, SPARSE_UNIT[arch], False), SPARSE_MARGIN * cost
    paired = pair_entries(weights) if arch == "dsp" and PAIR_UNIT * depth <= PAIR_SCRATCH_LIMIT else None
    if paired is not None and small(paired) and pair_cost(pixels, depth, channels, len(paired[0]), window) < best_cost:
        best = (*paired, PAIR_UNIT, True)
    return best


def specialised(layer: Layer, kernel: str, params: GemmParams, weights: np.ndarray, bias: np.ndarray,
                scratch_bytes: int, inplace: tuple[InPlace, ...] = (), extra: tuple[Const, ...] = ()) -> Layer:
    """The layer calling `kernel` with its packed weights and folded bias (other constants kept, `extra` added),
    with the in-place forms that kernel allows."""
    kept = tuple(c for c in layer.consts if c.role not in ("weights", "bias")) + extra
    consts: tuple[Const, ...] = (const("weights", "int8_t" if weights.dtype == np.int8 else "int32_t", weights),
                                 const("bias", "int32_t", bias)) + kept
    depthwise = kernel == "tg_depthwise_s8"
    return layer.replace(kernel=kernel, params=params, consts=consts, inplace=inplace, scratch_bytes=scratch_bytes,
                         template="depthwise_conv2d/depthwise_s8.c.j2" if depthwise else "fully_connected/gemm.c.j2",
                         definition="depthwise_conv2d/depthwise_function.c.j2" if depthwise else
                         "fully_connected/gemm_function.c.j2")


def quant_arrays(layer: Layer, mult: int, shift: int) -> tuple[bool, np.ndarray, np.ndarray]:
    """(per channel, multipliers, shifts): the layer's per-channel constants, else the one mult and shift."""
    if layer.has_const("mult"):
        return True, layer.const("mult").values, layer.const("shift").values
    return False, np.array([mult]), np.array([shift])


def gemm_layer(layer: Layer, weights: np.ndarray, input_offset: int, output_offset: int, act: Activation,
               pixels: int, arch: str, mult: int = 0, shift: int = 0, window=None, in_c: int = 0) -> Layer | None:
    """The layer as a tg_gemm_s8 call over its [channels, depth] weights (per-channel "mult"/"shift" constants,
    else the one mult and shift), or with a convolution's window a tg_conv_gemm_s8 call; None where the folded
    bias would overflow."""
    bias = folded_bias(layer.const("bias").values, weights, input_offset)
    if bias is None:
        return None
    per_channel, mults, shifts = quant_arrays(layer, mult, shift)
    block = channel_block(pixels, arch) if arch in BYTE_LAYOUT_ARCHS else 0
    # one pixel takes 4 channels at once (its 4 sums in registers), two pixels a pair
    pair_block = 4 if pixels == 1 else 2
    paired = paired_weights(weights, pair_block) if arch == "dsp" else None
    short = right_shifts_only(bias, weights, mults, shifts)
    # the per-channel short rounding's constants, offset folded in (a per-tensor one is a literal GCC folds)
    rounding = rounding_constants(bias, weights, mults, shifts, output_offset) \
        if arch == "dsp" and per_channel and short else None
    params = GemmParams(pixels, weights.shape[1], weights.shape[0], output_offset, act, per_channel, short,
                        layer.params, mult, shift, window, in_c, -input_offset, block=block,
                        paired=pair_block if paired is not None else 0, rounded=rounding is not None)
    # On the DSP path each pair of input rows is extended into scratch before any of its outputs is written, and
    # those outputs land within the pair's own rows and earlier ones (no more channels than inputs: pixels in
    # order) or later ones (more: last pixels first): tg_gemm_s8 may run in place. The plain C loops (word or
    # byte layout) read their input while they write.
    sparse = sparse_choice(weights, pixels, arch, window is not None)
    if sparse is not None:
        entries, counts, unit, grouped = sparse
        params = dataclasses.replace(params, block=0, paired=0, sparse=unit, nonzeros=2 * len(entries),
                                     zero_channels=bool(np.any(counts == 0)), grouped=grouped)
        kernel = ("tg_conv_pair_gemm_s8" if window else "tg_pair_gemm_s8") if grouped else \
            "tg_conv_sparse_gemm_s8" if window else "tg_sparse_gemm_s8"
        return specialised(layer, kernel, params, entries, bias, unit * weights.shape[1] + params.col_bytes, (),
                           (const("pairs", "uint16_t", counts),) +
                           (() if rounding is None else (const("round", "int32_t", rounding),)))
    inplace = (InPlace(0, ("tg_gemm_s8",)),) if arch == "dsp" and not window else ()
    packed = byte_blocks(weights, block) if block else paired if paired is not None else packed_weights(weights)
    return specialised(layer, "tg_conv_gemm_s8" if window else "tg_gemm_s8", params, packed, bias,
                       extended_bytes(weights.shape[1], pixels, arch) + params.col_bytes, inplace,
                       () if rounding is None else (const("round", "int32_t", rounding),))


def retarget(layer: Layer, arch: str) -> Layer | None:
    p = layer.params
    return gemm_layer(layer, layer.const("weights").values, p.input_offset, p.output_offset, p.act, p.batches, arch,
                      p.mult, p.shift)
