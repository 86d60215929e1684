"""The specialized backend's sparse kernels (tg_sparse_gemm_s8, tg_conv_sparse_gemm_s8 in kernels/tg_gemm.h, and
on the DSP path their paired forms tg_pair_gemm_s8, tg_conv_pair_gemm_s8): layers whose int8 weights are mostly
zero store and multiply only their nonzeros, bit-exact with TFLM's dense result on the host, QEMU Cortex-M4 (the
DSP path's gathered 16-bit pairs and SMLAxy, or per group of 4 inputs its 6 pairs and one SMLAD per entry) and
rv32imc (the byte layout). Pruned weights are made by zeroing a random model's int8 weights: all-zero output channels, all-zero
input channels, a single nonzero, alternating patterns, 2:4, 50/75/90 % random, long gaps (filler entries), with
fused ReLU/ReLU6, padding and strides, and FULLY_CONNECTED batches."""

import numpy as np
import pytest

from tests.compiler.test_specialized import fc_model
from tests.support.helpers import need_target
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.emulation import emulate, run_host
from tinygen.ops.fully_connected.specialized import PAIRS, pair_entries, sparse_choice, sparse_entries

TARGETS = ["host", "cortex-m4", "rv32imc"]
SPARSE = ("tg_sparse_gemm_s8", "tg_conv_sparse_gemm_s8", "tg_pair_gemm_s8", "tg_conv_pair_gemm_s8")
PAIRED = ("tg_pair_gemm_s8", "tg_conv_pair_gemm_s8")


def pruned(rng, shape, pattern: str) -> np.ndarray:
    """Random int8 weights [out_c, ...] with `pattern`'s zeros (along the flattened depth)."""
    w = rng.integers(-127, 128, shape).astype(np.int8)
    w[w == 0] = 1
    flat = w.reshape(shape[0], -1)
    depth = flat.shape[1]
    if pattern.startswith("random"):  # e.g. random75: that percentage of zeros
        flat[rng.random(flat.shape) < int(pattern[6:]) / 100] = 0
    elif pattern == "zero_outputs":  # 80 % zeros, two whole output channels among them
        flat[rng.random(flat.shape) < 0.8] = 0
        flat[[0, shape[0] - 1]] = 0
    elif pattern == "zero_inputs":  # input channels 0 and 2 zero across every tap, the rest 75 % zeros
        flat[rng.random(flat.shape) < 0.75] = 0
        w[..., [0, 2]] = 0
    elif pattern == "single":  # one nonzero in the whole matrix, at the last k (a long gap of fillers)
        flat[:] = 0
        flat[shape[0] // 2, depth - 1] = -128
    elif pattern == "alternating":  # every other weight, shifted by one on odd channels, and odd channels 90 %
        flat[0::2, 1::2] = 0
        flat[1::2, 0::2] = 0
        flat[1::2][rng.random(flat[1::2].shape) < 0.8] = 0
    elif pattern == "2:4":
        for row in flat:
            for g in range(depth // 4):
                row[4 * g + rng.choice(4, 2, replace=False)] = 0
        flat[:, depth // 4 * 4:] = 0
    elif pattern == "mixed":  # groups of 4 with 4 to 0 nonzeros (mostly 2): 57 % zeros
        for row in flat:
            for g in range(depth // 4):
                row[4 * g + rng.choice(4, int(rng.choice(5, p=[0.02, 0.05, 0.65, 0.2, 0.08])), replace=False)] = 0
    elif pattern == "ends":  # each channel only its first and last input: gaps of more than 255 pair blocks
        flat[:, 1:depth - 1] = 0
    else:
        raise ValueError(pattern)
    return w


def conv_model(seed: int, in_shape, out_c: int, k: int, stride: int, padding: int, pattern: str,
               activation: int = 0, residual: bool = False) -> bytes:
    """One CONV_2D with `pattern`'s zeros; with `residual` an ADD of its output and its input after it."""
    rng = np.random.default_rng(seed)
    n, h, w_, c = in_shape
    out_h = -(-h // stride) if padding == 0 else (h - k) // stride + 1
    out_w = -(-w_ // stride) if padding == 0 else (w_ - k) // stride + 1
    m = SchemaModel("sparse_conv")
    x = m.tensor(list(in_shape), scale=0.05, zero_point=int(rng.integers(-20, 20)))
    scales = rng.uniform(0.002, 0.02, size=out_c)
    w = m.tensor([out_c, k, k, c], data=pruned(rng, (out_c, k, k, c), pattern), scale=scales,
                 zero_point=[0] * out_c, axis=0)
    b = m.tensor([out_c], "int32", data=rng.integers(-2000, 2000, out_c).astype(np.int32), scale=0.05 * scales,
                 zero_point=[0] * out_c)
    y = m.tensor([n, out_h, out_w, out_c], scale=float(rng.uniform(0.02, 0.08)), zero_point=int(rng.integers(-10, 10)))
    m.op("CONV_2D", [x, w, b], [y], padding=padding, stride_w=stride, stride_h=stride, dilation_w_factor=1,
         dilation_h_factor=1, fused_activation_function=activation)
    if not residual:
        return m.finish([x], [y])
    z = m.tensor([n, out_h, out_w, out_c], scale=0.07, zero_point=3)
    m.op("ADD", [y, x], [z], fused_activation_function=1)
    return m.finish([x], [z])


def sparse_exact(tmp_path, raw: bytes, target: str, count: int = 4):
    path = tmp_path / "model.tflite"
    path.write_bytes(raw)
    program = compile_model(path, backend="specialized", core="host" if target == "host" else target)
    taken = [layer for layer in program.layers if layer.kernel in SPARSE]
    assert taken, [layer.kernel for layer in program.layers]
    result = emulate(path, count=count, seed=1, target=target, backend="specialized")
    assert np.array_equal(result.outputs, result.expected), result.summary()
    return taken


CONVS = [  # (in_shape, out_c, k, stride, padding, pattern, activation): on the DSP path blocks of 8 pixels, else 4
    ((1, 6, 6, 8), 32, 3, 1, 0, "random75", 0),  # SAME, 36 pixels: a tail of 4 on the DSP path
    ((1, 7, 5, 6), 40, 3, 2, 0, "random90", 1),  # SAME stride 2, 12 pixels, ReLU
    ((2, 5, 5, 8), 33, 3, 1, 1, "zero_outputs", 3),  # VALID, a batch of 2: 18 pixels, ReLU6, odd channels
    ((1, 6, 6, 5), 36, 3, 1, 0, "zero_inputs", 0),  # 36 pixels
    ((1, 5, 5, 67), 16, 1, 1, 1, "single", 0),  # pointwise: 25 pixels (tails of 1), one nonzero
    ((1, 4, 6, 48), 32, 1, 1, 1, "alternating", 0),
    ((1, 9, 9, 8), 24, 5, 2, 0, "random75", 0),  # 5x5 stride 2: padding on every side, depth 200
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", CONVS, ids=lambda c: f"{c[5]}-k{c[2]}s{c[3]}p{c[4]}")
def test_sparse_conv(tmp_path, target, case):
    need_target(target)
    in_shape, out_c, k, stride, padding, pattern, activation = case
    taken = sparse_exact(tmp_path, conv_model(out_c + k, in_shape, out_c, k, stride, padding, pattern, activation),
                         target)
    p = taken[0].params
    assert p.sparse == ((48 if p.grouped else 16) if target == "cortex-m4" else 4)
    assert p.nonzeros <= 2 * len(taken[0].const("weights").values)
    if pattern in ("zero_outputs", "single"):  # all-zero channels: their outputs requantized once per block
        assert p.zero_channels


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("batches,depth,units,pattern", [
    (8, 40, 12, "random90"), (8, 96, 17, "zero_outputs"), (8, 128, 9, "2:4_dense_rest"),
])
def test_sparse_fully_connected(tmp_path, target, batches, depth, units, pattern):
    """FULLY_CONNECTED batches over sparse weights (a batch of one stays dense: nothing amortises a gather)."""
    need_target(target)
    rng = np.random.default_rng(depth)
    weights = pruned(rng, (units, depth), "2:4" if pattern.startswith("2:4") else pattern)
    if pattern == "2:4_dense_rest":  # 2:4 and most of the rest: 87.5 % zeros, still 2:4
        weights[:, 1::2] = 0
    sparse_exact(tmp_path, fc_model(depth, batches, depth, units, True, 1, weights=weights), target)


@pytest.mark.parametrize("target", TARGETS)
def test_sparse_conv_with_residual_add(tmp_path, target):
    """A residual ADD (ReLU) fused into the sparse kernel's store, as into the dense ones'."""
    need_target(target)
    taken = sparse_exact(tmp_path, conv_model(4, (1, 6, 6, 32), 32, 3, 1, 0, "random75", 0, residual=True),
                         target)
    assert taken[0].params.residual is not None and taken[0].fused[0].kind == "ADD"


def test_dense_layers_keep_their_kernel(tmp_path):
    """Half the weights zero or fewer: the dense kernels (the cost model's margin), the same C as ever."""
    path = tmp_path / "model.tflite"
    path.write_bytes(conv_model(3, (1, 6, 6, 8), 16, 3, 1, 0, "random50"))
    program = compile_model(path, backend="specialized", core="cortex-m4")
    assert [layer.kernel for layer in program.layers] == ["tg_conv_gemm_s8"]


def test_sparse_entries_layout():
    """Per channel (step, weight) entries two to a word, steps in gathered bytes; fillers over long gaps, a last
    (0, 0) on an odd count, an empty channel no words."""
    w = np.zeros((3, 80), np.int8)
    w[0, [2, 5]] = [7, -3]
    w[2, [0, 70]] = [-128, 1]  # a gap of 70 k: fillers of 31 k (255 // 8)
    entries, counts = sparse_entries(w, 8)
    assert list(counts) == [1, 0, 2]

    def entry(step, value):
        return step * 8 | (value & 0xFF) << 8

    words = [int(e) & 0xFFFFFFFF for e in entries]
    assert words[0] == entry(2, 7) | entry(3, -3) << 16
    assert words[1] == entry(0, -128) | entry(31, 0) << 16
    assert words[2] == entry(31, 0) | entry(8, 1) << 16


PAIRED_CASES = [  # (in_shape, out_c, k, stride, padding, pattern, activation, residual): the DSP path's paired form
    ((1, 8, 8, 32), 32, 3, 1, 0, "2:4", 0, False),  # 64 pixels, depth 288
    ((1, 9, 8, 32), 33, 3, 2, 0, "2:4", 1, False),  # SAME stride 2: 20 pixels (a tail of 4), odd channels, ReLU
    ((1, 8, 8, 64), 64, 1, 1, 1, "mixed", 3, False),  # groups of 3 and 4 nonzeros take two entries, ReLU6
    ((1, 5, 5, 320), 16, 1, 1, 1, "ends", 0, False),  # depth 320: filler entries over the gaps, 25 pixels
    ((1, 8, 8, 32), 32, 3, 1, 0, "2:4", 0, True),  # a fused residual ADD
]


@pytest.mark.parametrize("case", PAIRED_CASES, ids=lambda c: f"{c[5]}-k{c[2]}s{c[3]}" + ("-add" if c[7] else ""))
def test_paired_sparse_conv(tmp_path, case):
    """2:4 and mostly-2-of-4 weights on Cortex-M4 take the paired kernel, bit-exact; the other targets compute the
    same layers with their own kernels, also bit-exact."""
    need_target("cortex-m4")
    in_shape, out_c, k, stride, padding, pattern, activation, residual = case
    raw = conv_model(out_c + k, in_shape, out_c, k, stride, padding, pattern, activation, residual)
    taken = sparse_exact(tmp_path, raw, "cortex-m4")
    assert taken[0].kernel in PAIRED and taken[0].params.grouped
    if residual:
        assert taken[0].params.residual is not None
    result = emulate(tmp_path / "model.tflite", count=4, seed=1, target="host", backend="specialized")
    assert np.array_equal(result.outputs, result.expected), result.summary()
    # The Cortex-M4 program's C built for the host runs the paired kernel's portable form: TFLM's bytes too.
    inputs = np.random.default_rng(2).integers(-128, 128, (4, *in_shape), dtype=np.int8)
    on_m4 = compile_model(tmp_path / "model.tflite", backend="specialized", core="cortex-m4")
    expected = emulate(tmp_path / "model.tflite", inputs=inputs, backend="specialized").expected
    assert np.array_equal(run_host(on_m4, inputs), expected)


def test_paired_sparse_fully_connected(tmp_path):
    """A FULLY_CONNECTED batch of 16 over 2:4 weights: tg_pair_gemm_s8 on Cortex-M4."""
    need_target("cortex-m4")
    weights = pruned(np.random.default_rng(5), (48, 128), "2:4")
    taken = sparse_exact(tmp_path, fc_model(128, 16, 128, 48, True, 1, weights=weights), "cortex-m4")
    assert taken[0].kernel == "tg_pair_gemm_s8"


def test_pair_entries_layout():
    """Per channel one entry per group with a nonzero: its pair's two weights, the step in blocks of gathered
    pairs, bit 31 on the last; 3 or 4 nonzeros two entries; gaps beyond 255 blocks zero entries; none for an
    all-zero channel."""
    w = np.zeros((3, 448), np.int8)
    w[0, [1, 2]] = [5, -7]  # group 0, pair (1, 2)
    w[0, [4, 5, 7]] = [1, 2, 3]  # group 1: pairs (0, 1) and (2, 3)
    w[2, 3] = -128  # group 0: pair (2, 3), block 1, holds input 3 (the first pair that does)
    w[2, 444] = 9  # group 111, pair (0, 1): block 666, 665 blocks on (two fillers of 255)
    entries, counts = pair_entries(w)
    assert list(counts) == [3, 0, 4]

    def entry(a, step, b, last=False):
        return (a & 0xFF) | step << 8 | (b & 0xFF) << 16 | last << 31

    words = [int(e) & 0xFFFFFFFF for e in entries]
    assert PAIRS.index((1, 2)) == 5 and PAIRS.index((2, 3)) == 1
    assert words[:3] == [entry(5, 5, -7), entry(1, 1, 2), entry(0, 1, 3, last=True)]
    assert words[3:] == [entry(0, 1, -128), entry(0, 255, 0), entry(0, 255, 0), entry(9, 666 - 1 - 510, 0, True)]
    assert pair_entries(np.zeros((2, 6), np.int8)) is None  # not whole groups of 4


def test_sparse_choice_never_grows_flash():
    """On the DSP path 2:4 weights take the paired kernel (entries and counts at most 5 % over the dense bytes).
    Near 50 % random zeros the paired kernel would be faster but store 1.15-1.25x the dense bytes: 55 % takes the
    smaller unstructured form, 50 % stays dense."""
    def choice(pattern, shape):
        weights = pruned(np.random.default_rng(1), shape, pattern)
        chosen = sparse_choice(weights, 125, "dsp", window=False)
        assert chosen is None or chosen[0].nbytes + chosen[1].nbytes <= 1.05 * weights.size
        return chosen

    assert choice("2:4", (64, 288))[3]
    assert not choice("random55", (64, 256))[3]
    assert choice("random50", (64, 256)) is None
