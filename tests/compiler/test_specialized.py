"""The specialized backend: pointwise CONV_2D and FULLY_CONNECTED as tg_gemm_s8, other convolutions as
tg_conv_gemm_s8 over im2col rows (kernels/tg_gemm.h), DEPTHWISE_CONV_2D as tg_depthwise_s8
(kernels/tg_depthwise.h), bit-exact with TFLM on QEMU Cortex-M4 (SMLAD/SMLABB), and on the host and QEMU rv32imc
(the byte layouts and blocks of kernels/tg_gemm_c.h and tg_depthwise_c.h).

Every variant the backend can pick is here: 2x2 blocks with an odd pixel and an odd channel left over, input
depths that are and are not whole words (odd or even word counts for the 2-word unrolled loop), per-tensor and
per-channel requantization, the short rounding and the general one (multipliers above 1: left shifts),
fused activations, FC batches, and convolution windows with every padding and stride combination, dilation,
one or three input channels, windows larger than the input and batches; depthwise windows likewise, with
channel counts that are, are not and are less than a multiple of four, and on the DSP path pairs of pixels at the
edges and inside, an odd pixel at a row's end, one-pixel-wide outputs, the general rounding over weights not
doubled, and windows too tall for its row pointers. On the plain C path: pixel counts of every
remainder modulo the 4-pixel block, channel counts of every remainder modulo the 4- and 8-channel blocks, interior
rows of whole 4-pixel blocks and of a remainder; on the host (its wide blocks: 32 GEMM channels, 16 depthwise),
channel counts of a whole block, of blocks and a remainder, and below one block.
"""

import numpy as np
import pytest

from tests.support.helpers import need_target
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.emulation import emulate
from tinygen.ops.conv2d import add_conv
from tinygen.ops.fully_connected.specialized import packed_weights, paired_weights, rounding_constants

TARGETS = ["host", "cortex-m4", "rv32imc"]
DSP = "cortex-m4"  # the word layout with in-place forms; elsewhere the plain-C byte layout has none


def pointwise_model(seed: int, h: int, w: int, in_c: int, out_c: int, activation: int = 0,
                    gain: float | None = None) -> bytes:
    rng = np.random.default_rng(seed)
    m = SchemaModel("pointwise")
    x = m.tensor([1, h, w, in_c], scale=0.05, zero_point=int(rng.integers(-20, 20)))
    y = add_conv(m, rng, "CONV_2D", x, [out_c, 1, 1, in_c], [1, h, w, out_c], 0, fused_activation_function=activation)
    if gain is not None:  # output scale for multipliers around `gain`: some shifts left, the general rounding
        m.sg.tensors[y].quantization.scale = [0.05 * 0.011 / gain]
    return m.finish([x], [y])


def fc_model(seed: int, batches: int, depth: int, units: int, per_channel: bool, activation: int = 0,
             weights: np.ndarray | None = None) -> bytes:
    rng = np.random.default_rng(seed)
    m = SchemaModel("dense")
    x = m.tensor([batches, depth], scale=0.04, zero_point=int(rng.integers(-20, 20)))
    scales = rng.uniform(0.005, 0.02, size=units) if per_channel else 0.01
    data = rng.integers(-127, 128, (units, depth)).astype(np.int8) if weights is None else weights
    w = m.tensor([units, depth], data=data, scale=scales,
                 zero_point=[0] * units if per_channel else 0)
    b = m.tensor([units], "int32", data=rng.integers(-3000, 3000, units).astype(np.int32),
                 scale=0.04 * np.asarray(scales) if per_channel else 0.04 * 0.01,
                 zero_point=[0] * units if per_channel else 0)
    y = m.tensor([batches, units], scale=float(rng.uniform(0.1, 0.4)), zero_point=int(rng.integers(-10, 10)))
    m.op("FULLY_CONNECTED", [x, w, b], [y], fused_activation_function=activation)
    return m.finish([x], [y])


def exact(tmp_path, raw: bytes, target: str, name: str = "model", count: int = 5):
    path = tmp_path / f"{name}.tflite"
    path.write_bytes(raw)
    program = compile_model(path, backend="specialized", core="host" if target == "host" else target)
    gemms = [layer for layer in program.layers
             if layer.kernel in ("tg_gemm_s8", "tg_conv_gemm_s8", "tg_depthwise_s8", "tg_depthwise_inplace_s8")]
    assert gemms, "the backend did not take the layer"
    result = emulate(path, count=count, seed=1, target=target, backend="specialized")
    assert np.array_equal(result.outputs, result.expected), result.summary()
    return gemms


POINTWISE = [  # (h, w, in_c, out_c, activation): pixels odd/even, depth % 4, words odd/even, channels odd/even
    (3, 5, 16, 8, 0),  # 15 pixels (odd), 4 words (even), 8 channels
    (2, 3, 7, 5, 1),  # 6 pixels, depth 7 (2 words, tail 3 bytes), 5 channels (odd), ReLU
    (1, 1, 13, 3, 3),  # one pixel, depth 13 (4 words, tail 1), ReLU6
    (4, 4, 12, 9, 0),  # 3 words (odd), 9 channels
    (1, 3, 1, 2, 0),  # depth 1
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("shape", POINTWISE, ids=lambda s: "x".join(map(str, s)))
def test_pointwise(tmp_path, target, shape):
    need_target(target)
    gemms = exact(tmp_path, pointwise_model(sum(shape), *shape), target)
    assert gemms[0].params.right_shifts_only


@pytest.mark.parametrize("target", TARGETS)
def test_pointwise_general_rounding(tmp_path, target):
    need_target(target)
    gemms = exact(tmp_path, pointwise_model(5, 3, 3, 6, 5, gain=1.0), target)
    assert not gemms[0].params.right_shifts_only


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("batches,depth,units,per_channel,activation", [
    (1, 33, 7, True, 0), (1, 64, 12, False, 1), (3, 10, 4, False, 0), (2, 5, 3, True, 3), (1, 8, 1, False, 0),
    (1, 20, 17, False, 0),  # two 8-channel blocks and one channel
    (1, 12, 6, True, 0),  # a 4-channel block and a lone pair (DSP paired layout), no odd channel
])
def test_fully_connected(tmp_path, target, batches, depth, units, per_channel, activation):
    need_target(target)
    gemms = exact(tmp_path, fc_model(depth + units, batches, depth, units, per_channel, activation), target)
    assert gemms[0].params.per_channel == per_channel
    # the DSP path's scratch: each pixel it takes at once extended to 2 words per input word; none in plain C
    assert gemms[0].scratch_bytes == (8 * min(batches, 2) * -(-depth // 4) if target == "cortex-m4" else 0)
    # the DSP path's paired layout: one pixel takes 4 channels at once, two a pair
    assert gemms[0].params.paired == ((4 if batches == 1 else 2) if target == "cortex-m4" else 0)
    # and per channel its rounding constants with the output offset folded in
    assert gemms[0].params.rounded == (per_channel and target == "cortex-m4")


@pytest.mark.parametrize("target", ["host", DSP])
@pytest.mark.parametrize("batches", [1, 2])
def test_fully_connected_not_paired(tmp_path, target, batches):
    """A weight -128 over a negative one in a channel pair (256 * -128 - 7 leaves int16): the layer keeps the
    interleaved layout, exact all the same."""
    need_target(target)
    weights = np.random.default_rng(3).integers(-127, 128, (5, 9)).astype(np.int8)
    weights[2, 4], weights[3, 4] = -7, -128
    gemms = exact(tmp_path, fc_model(3, batches, 9, 5, False, weights=weights), target)
    assert gemms[0].params.paired == 0


def test_paired_weights():
    """Halves 256 w[2i+1][k] + w[2i][k]: words (k 0, 2), (k 1, 3) per input word, two pairs' words interleaved
    in blocks of 4 channels, a lone pair after them, an odd channel's row as packed_weights; None where inexact."""
    w = (np.arange(7 * 5, dtype=np.int32).reshape(7, 5) * 37 % 255 - 127).astype(np.int8)
    words = paired_weights(w, 4).view(np.uint32)

    def half(c, k):
        return (256 * int(w[c + 1][k]) + int(w[c][k])) & 0xFFFF if k < 5 else 0

    def pair(c, i):  # the e, o words of pair (c, c + 1) for input word i
        return [half(c, 4 * i) | half(c, 4 * i + 2) << 16, half(c, 4 * i + 1) | half(c, 4 * i + 3) << 16]

    quad = [x for i in range(2) for x in pair(0, i) + pair(2, i)]
    assert list(words) == quad + pair(4, 0) + pair(4, 1) + list(packed_weights(w[6:]).view(np.uint32))
    assert list(paired_weights(w, 2).view(np.uint32)[:8]) == pair(0, 0) + pair(0, 1) + pair(2, 0) + pair(2, 1)
    edge = w.copy()
    edge[0, 3], edge[1, 3] = -1, -128
    assert paired_weights(edge, 4) is None
    edge[0, 3] = 0  # 256 * -128 + 0 fits
    assert paired_weights(edge, 4) is not None
    assert paired_weights(np.full((2, 2**16), 127, np.int8), 2) is None  # 128 * sum |w| reaches 2^23


def test_rounding_constants():
    """2^(e-1) + offset * 2^e per channel; None where the high product plus it could leave int32."""
    bias, weights = np.array([100, -100]), np.ones((2, 3), np.int8)
    mult, shift = np.array([2**30, 2**31 - 1]), np.array([-3, -10])
    assert list(rounding_constants(bias, weights, mult, shift, -5)) == [4 - 5 * 8, 512 - 5 * 1024]
    assert rounding_constants(bias, weights, mult, np.array([-3, -25]), -128) is None  # -128 * 2^25 = -2^32


def conv_model(seed: int, n: int, h: int, w: int, in_c: int, out_c: int, k: tuple[int, int], stride: int,
               same: bool, dilation: int = 1) -> bytes:
    rng = np.random.default_rng(seed)
    m = SchemaModel("conv")
    x = m.tensor([n, h, w, in_c], scale=0.05, zero_point=int(rng.integers(-30, 30)))
    span = [(k[i] - 1) * dilation + 1 for i in range(2)]
    out = [-(-d // stride) if same else (d - s) // stride + 1 for d, s in zip((h, w), span)]
    y = add_conv(m, rng, "CONV_2D", x, [out_c, k[0], k[1], in_c], [n, out[0], out[1], out_c], 0,
                 padding=0 if same else 1, stride_h=stride, stride_w=stride, dilation_h_factor=dilation,
                 dilation_w_factor=dilation, fused_activation_function=int(rng.integers(0, 2)))
    return m.finish([x], [y])


CONVS = [  # (n, h, w, in_c, out_c, (k_h, k_w), stride, SAME, dilation)
    (1, 6, 7, 4, 5, (3, 3), 1, True, 1),  # SAME stride 1: a border all round
    (1, 7, 6, 3, 8, (3, 3), 2, True, 1),  # SAME stride 2, three input channels (a first layer)
    (1, 7, 7, 5, 3, (3, 3), 1, False, 1),  # VALID stride 1, odd channels
    (1, 9, 8, 8, 6, (3, 3), 2, False, 1),  # VALID stride 2
    (1, 11, 4, 1, 7, (5, 2), 2, True, 1),  # one input channel, a 5x2 window (KWS's first layer's kind)
    (1, 6, 6, 6, 4, (1, 1), 2, False, 1),  # strided 1x1 (ResNet's shortcut)
    (2, 5, 5, 4, 4, (3, 3), 1, True, 1),  # two batches
    (1, 8, 8, 4, 3, (3, 3), 1, True, 2),  # dilation 2
    (1, 3, 3, 2, 3, (5, 5), 1, True, 1),  # the window overhangs the input on every side
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("shape", CONVS, ids=lambda s: "-".join(map(str, s)).replace(" ", ""))
def test_convolution(tmp_path, target, shape):
    need_target(target)
    gemms = exact(tmp_path, conv_model(len(str(shape)), *shape), target)
    assert gemms[0].kernel == "tg_conv_gemm_s8"


def depthwise_model(seed: int, n: int, h: int, w: int, c: int, k: tuple[int, int], stride: int, same: bool,
                    dilation: int = 1, gain: float | None = None) -> bytes:
    rng = np.random.default_rng(seed)
    m = SchemaModel("depthwise")
    x = m.tensor([n, h, w, c], scale=0.05, zero_point=int(rng.integers(-30, 30)))
    span = [(k[i] - 1) * dilation + 1 for i in range(2)]
    out = [-(-d // stride) if same else (d - s) // stride + 1 for d, s in zip((h, w), span)]
    y = add_conv(m, rng, "DEPTHWISE_CONV_2D", x, [1, k[0], k[1], c], [n, out[0], out[1], c], 3, depth_multiplier=1,
                 padding=0 if same else 1, stride_h=stride, stride_w=stride, dilation_h_factor=dilation,
                 dilation_w_factor=dilation, fused_activation_function=int(rng.integers(0, 4)) % 2 * 3)
    if gain is not None:  # output scale for multipliers around `gain`: some shifts left, the general rounding
        m.sg.tensors[y].quantization.scale = [0.05 * 0.011 / gain]
    return m.finish([x], [y])


DEPTHWISE = [  # (n, h, w, channels, (k_h, k_w), stride, SAME, dilation)
    (1, 6, 5, 8, (3, 3), 1, True, 1),  # SAME stride 1, two words of channels
    (1, 7, 8, 4, (3, 3), 2, True, 1),  # SAME stride 2
    (1, 7, 6, 6, (3, 3), 1, False, 1),  # VALID, 6 channels (a word and two alone)
    (1, 9, 9, 12, (3, 3), 2, False, 1),  # VALID stride 2
    (1, 5, 5, 3, (3, 3), 1, True, 1),  # fewer channels than a word
    (1, 12, 1, 5, (5, 1), 1, True, 1),  # a 5x1 window over one column (STR_WW's kind)
    (2, 6, 6, 4, (3, 3), 1, True, 2),  # batches, dilation 2
    (1, 2, 3, 4, (3, 3), 1, True, 1),  # no interior at all
    (1, 5, 12, 7, (3, 3), 1, True, 1),  # interior rows of two 4-pixel blocks and 2 more, 7 channels
    # the DSP path's pairs of pixels: edge pairs (constant columns), interior pairs, an odd pixel at the end
    (1, 5, 7, 9, (3, 3), 2, True, 1),  # SAME stride 2, odd width (padding right only), 9 channels (a group and 1)
    (1, 6, 1, 4, (3, 3), 1, True, 1),  # one pixel wide: every column an edge, rows from the pad row
    (1, 4, 9, 10, (3, 3), 1, False, 1),  # VALID, 7 outputs a row (3 pairs and one), 10 channels
    (1, 8, 8, 16, (5, 5), 2, True, 1),  # 5x5 SAME stride 2: pad 1 left, 2 right
    (1, 9, 10, 12, (3, 3), 1, True, 1),  # 10 wide: an edge pair each side, 4 inside
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("shape", DEPTHWISE, ids=lambda s: "-".join(map(str, s)).replace(" ", ""))
def test_depthwise(tmp_path, target, shape):
    need_target(target)
    gemms = exact(tmp_path, depthwise_model(len(str(shape)), *shape), target)
    assert gemms[0].kernel == "tg_depthwise_s8"


@pytest.mark.parametrize("target", TARGETS)
def test_depthwise_general_rounding(tmp_path, target):
    """Multipliers above 1 (left shifts): the general rounding, over weights not doubled on the DSP path."""
    need_target(target)
    gemms = exact(tmp_path, depthwise_model(5, 1, 5, 6, 8, (3, 3), 1, True, gain=1.7), target)
    assert gemms[0].kernel == "tg_depthwise_s8" and not gemms[0].params.right_shifts_only


def test_offset_rounding_bounds():
    """The short form's rounding 2^(e-1) + offset * 2^e, refused where it could leave int32 with a high product."""
    from tinygen.ops.depthwise_conv2d.specialized import offset_rounding

    one = (np.array([10]), np.array([[3]]), np.array([2**30]))
    assert offset_rounding(*one, np.array([-4]), -128).tolist() == [8 - 128 * 16]
    assert offset_rounding(*one, np.array([-30]), 1).tolist() == [2**29 + 2**30]
    assert offset_rounding(*one, np.array([-30]), 2) is None  # 2^29 + 2^31


def test_tall_window_keeps_its_kernel(tmp_path):
    """Windows taller than the DSP kernel's row pointers (TG_DEPTHWISE_MAX_ROWS) keep the portable kernel there."""
    path = tmp_path / "tall.tflite"
    path.write_bytes(depthwise_model(3, 1, 20, 1, 4, (17, 1), 1, True))
    kernels = {core: [layer.kernel for layer in compile_model(path, backend="specialized", core=core).layers]
               for core in ("cortex-m4", "host")}
    assert kernels == {"cortex-m4": ["tg_depthwise_conv_s8"], "host": ["tg_depthwise_s8"]}


def test_widened_pairs_order():
    """Per tap and group of four channels the pairs (w[c], w[c+2]), (w[c+1], w[c+3]), low half first."""
    from tinygen.ops.depthwise_conv2d.specialized import widened_pairs

    taps = np.array([[1, -2, 3, -4, 5], [-128, 127, 0, 9, -1]], np.int8)
    words = widened_pairs(taps).view(np.uint32)
    halves = [(int(v) & 0xFFFF, int(v) >> 16) for v in words]
    as_int16 = [tuple(h - 0x10000 if h >= 0x8000 else h for h in pair) for pair in halves]
    assert as_int16 == [(1, 3), (-2, -4), (5, 0), (0, 0), (-128, 0), (127, 9), (-1, 0), (0, 0)]


HOST_BLOCKS = [  # the host's byte layout: GEMM blocks of 32 channels, depthwise blocks of 16, the last narrower
    ("pointwise", (2, 3, 8, 40, 0)),  # a block of 32 and one of 8
    ("pointwise", (3, 3, 5, 32, 1)),  # exactly one block, 9 pixels (two of 4 and one)
    ("fc", (1, 24, 33, True, 0)),  # 32 + 1 channels, one pixel
    ("fc", (3, 10, 70, False, 3)),  # 2 x 32 + 6, 3 pixels
    ("conv", (1, 6, 7, 3, 36, (3, 3), 2, True, 1)),  # im2col rows against 32 + 4 channels
    ("depthwise", (1, 6, 5, 20, (3, 3), 1, True, 1)),  # 16 + 4 channels, SAME stride 1
    ("depthwise", (1, 7, 8, 35, (3, 3), 2, True, 1)),  # 2 x 16 + 3, SAME stride 2
    ("depthwise", (1, 7, 6, 16, (3, 3), 1, False, 1)),  # one whole block, VALID
    ("depthwise", (1, 9, 9, 17, (3, 3), 2, False, 1)),  # 16 + 1, VALID stride 2
    ("depthwise", (2, 6, 6, 18, (3, 3), 1, True, 2)),  # batches, dilation 2
    ("depthwise", (1, 12, 1, 24, (5, 1), 1, True, 1)),  # a 5x1 window over one column
]
BUILDERS = {"pointwise": pointwise_model, "fc": fc_model, "conv": conv_model, "depthwise": depthwise_model}


@pytest.mark.parametrize("kind,shape", HOST_BLOCKS, ids=lambda s: s if isinstance(s, str) else
                         "-".join(map(str, s)).replace(" ", ""))
def test_host_blocks(tmp_path, kind, shape):
    """The host's wide blocks (BYTE_BLOCK_HOST, DEPTHWISE_BLOCK_HOST), laid out block by block, k-major."""
    from tinygen.ops.depthwise_conv2d.specialized import DEPTHWISE_BLOCK_HOST
    from tinygen.ops.fully_connected.specialized import BYTE_BLOCK_HOST, byte_blocks

    raw = BUILDERS[kind](len(str(shape)), *shape)
    layer = exact(tmp_path, raw, "host")[0]
    source = compile_model(tmp_path / "model.tflite").layers[0]  # the portable lowering's weights
    weights = source.const("weights").values
    if kind == "depthwise":
        assert layer.params.block == DEPTHWISE_BLOCK_HOST
        rows = weights.reshape(-1, layer.params.channels).T  # [channel][tap]
    else:
        assert layer.params.block == BYTE_BLOCK_HOST
        rows = weights.reshape(layer.params.channels, -1)
    assert np.array_equal(layer.const("weights").values, byte_blocks(rows, layer.params.block))


def test_byte_blocks_order():
    """Blocks of `block` channels, the last narrower, each k-major: channel c's weight k at k * width + c."""
    from tinygen.ops.fully_connected.specialized import byte_blocks

    w = np.arange(5 * 3, dtype=np.int8).reshape(5, 3)  # 5 channels, depth 3
    assert byte_blocks(w, 4).tolist() == [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11, 12, 13, 14]


def test_depthwise_interior():
    from tinygen.ops.depthwise_conv2d.specialized import interior
    from tinygen.ops.window import Window

    # 6x6 input, 3x3 SAME stride 1: rows and columns 1..4 read no padding.
    assert interior(Window(1, 6, 6, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1)) == (1, 5, 1, 5)
    # 7x7, 3x3 SAME stride 2 (padding 1 each side): outputs 1..2 (inputs 1..5) inside, output 3 reads column 7.
    assert interior(Window(1, 7, 7, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1)) == (1, 3, 1, 3)
    assert interior(Window(1, 2, 3, 2, 3, 3, 3, 1, 1, 1, 1, 1, 1)) == (1, 1, 1, 2)


def test_packed_weights_order():
    """Channels 2i and 2i+1 alternate word by word, rows zero-padded, byte j of a word in bits 8j.."""
    w = np.arange(3 * 5, dtype=np.int8).reshape(3, 5) - 7
    words = packed_weights(w).view(np.uint32)
    as_bytes = [[int(x) >> (8 * j) & 0xFF for j in range(4)] for x in words]
    row = [list(r.view(np.uint8)) + [0, 0, 0] for r in w]
    assert as_bytes == [row[0][:4], row[1][:4], row[0][4:8], row[1][4:8], row[2][:4], row[2][4:8]]


def test_grouped_convolution_keeps_its_kernel(tmp_path):
    """A grouped convolution is not the backend's: it keeps the portable kernel; the 1x1 after it is taken."""
    rng = np.random.default_rng(0)
    m = SchemaModel("grouped")
    x = m.tensor([1, 5, 5, 4], scale=0.05, zero_point=3)
    h = add_conv(m, rng, "CONV_2D", x, [6, 3, 3, 2], [1, 5, 5, 6], 0)  # 2 groups, SAME padding
    y = add_conv(m, rng, "CONV_2D", h, [3, 1, 1, 6], [1, 5, 5, 3], 0)
    path = tmp_path / "grouped.tflite"
    path.write_bytes(m.finish([x], [y]))
    kernels = [layer.kernel for layer in compile_model(path, backend="specialized").layers]
    assert kernels == ["tg_convolve_s8", "tg_gemm_s8"]
    result = emulate(path, count=3, backend="specialized")
    assert np.array_equal(result.outputs, result.expected), result.summary()


def residual_model(seed: int, h: int, w: int, c: int, k: int, first: bool, activation: int,
                   skip_is_input: bool = False) -> bytes:
    """ADD(conv(conv(skip)), skip) (or the operands swapped), then a 1x1 convolution so the ADD's result is an
    arena tensor and may take over the skip's memory; the skip is a convolution's output, or the model's input
    (the caller's buffer: not in place)."""
    rng = np.random.default_rng(seed)
    m = SchemaModel("residual")
    x = m.tensor([1, h, w, c], scale=0.05, zero_point=int(rng.integers(-20, 20)))
    skip = x if skip_is_input else add_conv(m, rng, "CONV_2D", x, [c, 3, 3, c], [1, h, w, c], 0, padding=0)
    branch = add_conv(m, rng, "CONV_2D", skip, [c, 3, 3, c], [1, h, w, c], 0, padding=0, fused_activation_function=1)
    r = add_conv(m, rng, "CONV_2D", branch, [c, k, k, c], [1, h, w, c], 0, padding=0)
    y = m.tensor([1, h, w, c], scale=float(rng.uniform(0.05, 0.12)), zero_point=int(rng.integers(-10, 10)))
    m.op("ADD", [r, skip] if first else [skip, r], [y], fused_activation_function=activation)
    z = add_conv(m, rng, "CONV_2D", y, [3, 1, 1, c], [1, h, w, 3], 0)
    return m.finish([x], [z])


def projection_model(seed: int) -> bytes:
    """ResNet's projection shortcut: ADD(3x3 stride 2 conv, 1x1 stride 2 conv of the same input), odd channels."""
    rng = np.random.default_rng(seed)
    m = SchemaModel("projection")
    x = m.tensor([1, 7, 6, 3], scale=0.05, zero_point=4)
    a = add_conv(m, rng, "CONV_2D", x, [5, 3, 3, 3], [1, 4, 3, 5], 0, padding=0, stride_h=2, stride_w=2)
    b = add_conv(m, rng, "CONV_2D", x, [5, 1, 1, 3], [1, 4, 3, 5], 0, padding=0, stride_h=2, stride_w=2)
    y = m.tensor([1, 4, 3, 5], scale=0.07, zero_point=-3)
    m.op("ADD", [a, b], [y], fused_activation_function=1)
    return m.finish([x], [y])


RESIDUALS = [  # (h, w, channels, kernel of the fused convolution, conv first in the ADD, ADD activation, skip = input)
    (5, 4, 8, 3, True, 1, False),  # 3x3 im2col product, ReLU
    (3, 5, 7, 3, False, 0, False),  # odd channels and pixels, operands swapped
    (4, 3, 5, 1, True, 3, False),  # pointwise (tg_gemm_s8), ReLU6
    (3, 3, 6, 1, False, 0, True),  # the skip is the model input
    (3, 5, 40, 3, True, 0, False),  # on the host a block of 32 channels and one of 8
    (2, 5, 36, 1, False, 1, False),  # likewise pointwise: 32 + 4, two 4-pixel blocks and 2 pixels
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("shape", RESIDUALS, ids=lambda s: "-".join(map(str, s)))
def test_residual_add_fused(tmp_path, target, shape):
    """The ADD runs in the specialized product's store (its tensor and the conv's output are gone), over the
    skip's memory where the skip dies there."""
    need_target(target)
    h, w, c, k, first, activation, skip_is_input = shape
    gemms = exact(tmp_path, residual_model(sum(shape), *shape), target)
    fused = [layer for layer in gemms if layer.params.residual is not None]
    assert len(fused) == 1 and fused[0].kernel == ("tg_gemm_s8" if k == 1 else "tg_conv_gemm_s8")
    assert fused[0].fused and fused[0].fused[0].kind == "ADD"
    assert (fused[0].applied_inplace is None) == skip_is_input


@pytest.mark.parametrize("target", TARGETS)
def test_projection_shortcut_fused(tmp_path, target):
    need_target(target)
    gemms = exact(tmp_path, projection_model(3), target)
    assert [layer.params.residual is not None for layer in gemms] == [False, True]


def chain_model(seed: int, h: int, w: int, c: int, k: tuple[int, int], stride: int, same: bool, dilation: int,
                n: int = 1) -> bytes:
    """1x1 conv → depthwise → 1x1 conv to fewer channels → 1x1 conv: the depthwise and the third read arena
    tensors that die there, so they may overwrite them."""
    rng = np.random.default_rng(seed)
    m = SchemaModel("chain")
    x = m.tensor([n, h, w, 3], scale=0.05, zero_point=int(rng.integers(-20, 20)))
    a = add_conv(m, rng, "CONV_2D", x, [c, 1, 1, 3], [n, h, w, c], 0)
    span = [(k[i] - 1) * dilation + 1 for i in range(2)]
    out = [-(-d // stride) if same else (d - s) // stride + 1 for d, s in zip((h, w), span)]
    d = add_conv(m, rng, "DEPTHWISE_CONV_2D", a, [1, k[0], k[1], c], [n, out[0], out[1], c], 3, depth_multiplier=1,
                 padding=0 if same else 1, stride_h=stride, stride_w=stride, dilation_h_factor=dilation,
                 dilation_w_factor=dilation)
    y = add_conv(m, rng, "CONV_2D", d, [c - 1, 1, 1, c], [n, out[0], out[1], c - 1], 0)
    z = add_conv(m, rng, "CONV_2D", y, [2, 1, 1, c - 1], [n, out[0], out[1], 2], 0)
    return m.finish([x], [z])


IN_PLACE = [  # (h, w, channels, (k_h, k_w), stride, SAME, dilation, batches) → depthwise kernel in place
    ((6, 5, 8, (3, 3), 1, True, 1, 1), "tg_depthwise_inplace_s8"),  # the window reaches back: a copy of 3 rows
    ((7, 4, 7, (3, 3), 1, True, 2, 1), "tg_depthwise_inplace_s8"),  # dilation 2 (5 rows), odd channels
    ((12, 1, 5, (5, 1), 1, True, 1, 1), "tg_depthwise_inplace_s8"),  # STR_WW's 5x1 over one column
    ((5, 5, 6, (3, 3), 1, True, 1, 2), "tg_depthwise_inplace_s8"),  # two batches
    ((8, 7, 12, (3, 3), 2, True, 1, 1), "tg_depthwise_s8"),  # stride 2: raster order is safe as is
    ((7, 6, 5, (3, 3), 1, False, 1, 1), "tg_depthwise_s8"),  # VALID stride 1 likewise
    ((5, 3, 9, (3, 3), 1, True, 1, 1), "tg_depthwise_inplace_s8"),  # 3 wide (an edge pair and one), 9 channels
    ((6, 1, 6, (3, 3), 1, True, 1, 1), "tg_depthwise_inplace_s8"),  # one pixel wide
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("shape,kernel", IN_PLACE, ids=lambda s: "-".join(map(str, s)) if isinstance(s, tuple) else s)
def test_in_place(tmp_path, target, shape, kernel):
    """On the DSP path (Cortex-M4) the depthwise layer overwrites its input, and so does the 1x1 product to fewer
    channels after it (it extends its input rows into scratch first); the plain-C byte layout has no in-place forms."""
    need_target(target)
    gemms = exact(tmp_path, chain_model(len(str(shape)), *shape), target)
    depthwise = next(layer for layer in gemms if layer.op.kind == "DEPTHWISE_CONV_2D")
    fewer = [layer for layer in gemms if layer.op.kind == "CONV_2D" and layer.params.channels < layer.params.depth]
    assert len(fewer) == 2 and fewer[1].applied_inplace is None  # the last writes the caller's output
    assert (fewer[0].applied_inplace is not None) == (target == DSP)
    if target != DSP:
        assert depthwise.kernel == "tg_depthwise_s8" and depthwise.applied_inplace is None
        return
    assert depthwise.kernel == kernel and depthwise.applied_inplace is not None
    if kernel == "tg_depthwise_inplace_s8":
        h, w, c, k, stride, same, dilation, n = shape
        assert depthwise.scratch_bytes == ((k[0] - 1) * dilation + 1) * w * c


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("pixels,c,wider", [(15, 5, 3), (8, 8, 8), (1, 7, 2)])
def test_in_place_to_more_channels(tmp_path, target, pixels, c, wider):
    """A 1x1 product to more channels than it reads, over its input on the DSP path: the last pixels (an odd one
    alone) first, so each pair writes only over rows already extended into scratch."""
    need_target(target)
    rng = np.random.default_rng(pixels + c)
    m = SchemaModel("expand")
    x = m.tensor([1, 1, pixels, 3], scale=0.05, zero_point=2)
    a = add_conv(m, rng, "CONV_2D", x, [c, 1, 1, 3], [1, 1, pixels, c], 0)
    wide = add_conv(m, rng, "CONV_2D", a, [c + wider, 1, 1, c], [1, 1, pixels, c + wider], 0)
    y = add_conv(m, rng, "CONV_2D", wide, [2, 1, 1, c + wider], [1, 1, pixels, 2], 0)
    gemms = exact(tmp_path, m.finish([x], [y]), target)
    assert (gemms[1].applied_inplace is not None) == (target == DSP)
