"""int4 weights (TFLite INT4 filters, two per byte) of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: models
built with the schema builder (the converter writes no int4 filters for int8 models), random weights in [-8, 7]
and random quantization, odd weight counts (a last half byte, filters starting at a high nibble); every byte
equal to TFLM's on the host, QEMU Cortex-M4 (portable and CMSIS-NN's s4 kernels) and rv32imc; the weights
stay packed in flash; int4 anywhere else is refused."""
import os

import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, need_target
from tests.support.schema_model import SchemaModel
from tinygen.ops import int4
from tinygen.ops.conv2d import CONV_OPTIONS


def _int4_layer(m, rng, kind, x, filter_shape, out_shape, axis, per_channel=True, **options):
    """Append a CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED with random int4 weights, bias and scales."""
    channels = filter_shape[axis]
    scales = rng.uniform(0.02, 0.3, size=channels if per_channel else 1)
    w = m.tensor(filter_shape, "int4", data=int4.pack(rng.integers(-8, 8, size=filter_shape)), scale=scales,
                 zero_point=[0] * len(scales), axis=axis)
    b = m.tensor([channels], "int32", data=rng.integers(-3000, 3000, channels).astype(np.int32),
                 scale=m.scale(x) * np.broadcast_to(scales, channels), zero_point=[0] * channels)
    y = m.tensor(out_shape, scale=float(rng.uniform(0.05, 0.4)), zero_point=int(rng.integers(-20, 20)))
    defaults = {} if kind == "FULLY_CONNECTED" else CONV_OPTIONS
    m.op(kind, [x, w, b], [y], **dict(defaults, **options))
    return y


# name: (kind, input shape, filter shape, output shape, per channel, options)
CASES = {
    "conv_3x3_same_odd_filters": ("CONV_2D", (1, 7, 6, 3), (5, 3, 3, 3), (1, 7, 6, 5), True, {}),
    "conv_3x3_valid_stride2_per_tensor": ("CONV_2D", (1, 9, 9, 4), (6, 3, 3, 4), (1, 4, 4, 6), False,
                                          dict(padding=1, stride_w=2, stride_h=2)),
    "conv_1x1": ("CONV_2D", (1, 5, 5, 7), (9, 1, 1, 7), (1, 5, 5, 9), True, {}),
    "conv_1xn": ("CONV_2D", (1, 1, 10, 8), (4, 1, 3, 8), (1, 1, 10, 4), True, {}),
    "conv_dilated": ("CONV_2D", (1, 8, 8, 2), (3, 3, 3, 2), (1, 8, 8, 3), True,
                     dict(dilation_w_factor=2, dilation_h_factor=2)),
    "conv_grouped": ("CONV_2D", (1, 6, 6, 6), (4, 3, 3, 3), (1, 6, 6, 4), True, {}),
    "conv_batch2_relu": ("CONV_2D", (2, 5, 5, 3), (4, 2, 2, 3), (2, 5, 5, 4), True,
                         dict(fused_activation_function=1)),
    "depthwise_3x3_same": ("DEPTHWISE_CONV_2D", (1, 7, 7, 5), (1, 3, 3, 5), (1, 7, 7, 5), True,
                           dict(depth_multiplier=1)),
    "depthwise_multiplier2_stride2": ("DEPTHWISE_CONV_2D", (1, 7, 7, 3), (1, 3, 3, 6), (1, 3, 3, 6), True,
                                      dict(depth_multiplier=2, stride_w=2, stride_h=2, padding=1)),
    "depthwise_per_tensor_5x5": ("DEPTHWISE_CONV_2D", (1, 9, 9, 8), (1, 5, 5, 8), (1, 9, 9, 8), False,
                                 dict(depth_multiplier=1, fused_activation_function=3)),
    "fc_batch3_odd": ("FULLY_CONNECTED", (3, 13), (5, 13), (3, 5), False, {}),
    "fc_wide": ("FULLY_CONNECTED", (1, 64), (10, 64), (1, 10), False, dict(fused_activation_function=1)),
}


def _model(case: str, seed: int = 0) -> bytes:
    kind, x_shape, w_shape, y_shape, per_channel, options = CASES[case]
    rng = np.random.default_rng(list(CASES).index(case) + 100 * seed)
    m = SchemaModel()
    x = m.tensor(x_shape, scale=float(rng.uniform(0.01, 0.1)), zero_point=int(rng.integers(-30, 30)))
    y = _int4_layer(m, rng, kind, x, w_shape, y_shape, 3 if kind == "DEPTHWISE_CONV_2D" else 0, per_channel,
                    **options)
    return m.finish([x], [y])


def test_pack_matches_tflm_order():
    """Element 2i in the low nibble of byte i, 2i + 1 in the high one; an odd count's last high nibble 0."""
    packed = int4.pack(np.array([1, -2, 7, -8, -1], np.int8))
    assert packed.view(np.uint8).tolist() == [0xE1, 0x87, 0x0F]


def test_reader_unpacks_and_flash_stays_packed(tmp_path):
    from tinygen.compiler import compile_model
    from tinygen.frontend.tflite import parse_tflite

    tflite = _model("fc_batch3_odd")
    graph = parse_tflite(tflite)
    w = next(t for t in graph.tensors if t.dtype == "int4")
    assert w.data.dtype == np.int8 and w.data.shape == (5, 13) and w.data.min() >= -8 and w.data.max() <= 7
    assert np.array_equal(int4.pack(w.data), np.frombuffer(tflite, np.int8, count=33, offset=_offset(tflite, w)))
    (tmp_path / "m.tflite").write_bytes(tflite)
    (layer,) = compile_model(tmp_path / "m.tflite", backend="portable").layers
    assert layer.kernel == "tg_fully_connected_s4"
    assert layer.const("weights").nbytes == 33  # 65 weights, two per byte


def _offset(tflite: bytes, w) -> int:
    """Where the packed weights of int4 tensor w lie in the file (the only 33-byte run equal to them)."""
    packed = int4.pack(w.data).tobytes()
    assert tflite.count(packed) == 1
    return tflite.index(packed)


@pytest.mark.parametrize("case", list(CASES))
def test_int4_host(tmp_path, case):
    assert_bit_exact(_model(case), tmp_path, count=6)


def test_int4_random_quantization(tmp_path):
    """Other seeds: other weights, scales and zero points, every layer kind."""
    for seed in (1, 2):
        for case in ("conv_3x3_same_odd_filters", "depthwise_multiplier2_stride2", "fc_batch3_odd"):
            assert_bit_exact(_model(case, seed), tmp_path, count=3, name=f"{case}_{seed}")


def _reshape(m, h, shape) -> int:
    q = m.sg.tensors[h].quantization
    flat = m.tensor(shape, scale=q.scale[0], zero_point=q.zeroPoint[0])
    m.op("RESHAPE", [h], [flat])
    return flat


def _chain_a() -> bytes:
    """conv 3x3 SAME (27-weight filters: every other one starts at a high nibble) → 1x1 → depthwise 3x3 →
    depthwise multiplier 2, stride 2 → FC."""
    rng = np.random.default_rng(7)
    m = SchemaModel()
    x = m.tensor([1, 7, 7, 3], scale=0.04, zero_point=-5)
    h = _int4_layer(m, rng, "CONV_2D", x, [5, 3, 3, 3], [1, 7, 7, 5], 0)
    h = _int4_layer(m, rng, "CONV_2D", h, [4, 1, 1, 5], [1, 7, 7, 4], 0)
    h = _int4_layer(m, rng, "DEPTHWISE_CONV_2D", h, [1, 3, 3, 4], [1, 7, 7, 4], 3, depth_multiplier=1)
    h = _int4_layer(m, rng, "DEPTHWISE_CONV_2D", h, [1, 3, 3, 8], [1, 3, 3, 8], 3, depth_multiplier=2,
                    stride_w=2, stride_h=2, padding=1)
    y = _int4_layer(m, rng, "FULLY_CONNECTED", _reshape(m, h, [1, 72]), [7, 72], [1, 7], 0, per_channel=False)
    return m.finish([x], [y])


def _chain_b() -> bytes:
    """conv VALID stride 2 per tensor → dilated → grouped → 1x1 → depthwise over 3 channels, multiplier 2 (which
    CMSIS-NN declines) → FC over 32 batches of 3 (15 weights: a last half byte)."""
    rng = np.random.default_rng(8)
    m = SchemaModel()
    x = m.tensor([1, 9, 9, 4], scale=0.05, zero_point=4)
    h = _int4_layer(m, rng, "CONV_2D", x, [6, 3, 3, 4], [1, 4, 4, 6], 0, per_channel=False, padding=1,
                    stride_w=2, stride_h=2)
    h = _int4_layer(m, rng, "CONV_2D", h, [6, 3, 3, 6], [1, 4, 4, 6], 0, dilation_w_factor=2, dilation_h_factor=2)
    h = _int4_layer(m, rng, "CONV_2D", h, [4, 3, 3, 3], [1, 4, 4, 4], 0)
    h = _int4_layer(m, rng, "CONV_2D", h, [3, 1, 1, 4], [1, 4, 4, 3], 0)
    h = _int4_layer(m, rng, "DEPTHWISE_CONV_2D", h, [1, 3, 3, 6], [1, 4, 4, 6], 3, depth_multiplier=2)
    y = _int4_layer(m, rng, "FULLY_CONNECTED", _reshape(m, h, [32, 3]), [5, 3], [32, 5], 0, per_channel=False)
    return m.finish([x], [y])


CMSIS_KERNELS = {"chain_a": ["arm_convolve_wrapper_s4"] * 2 + ["arm_depthwise_conv_wrapper_s4"] * 2 + ["memcpy"]
                 + ["arm_fully_connected_s4"],
                 "chain_b": ["arm_convolve_wrapper_s4"] * 2 + ["tg_convolve_s4", "arm_convolve_wrapper_s4",
                                                               "tg_depthwise_conv_s4", "memcpy",
                                                               "arm_fully_connected_s4"]}


def test_backends_choose_int4_kernels(tmp_path):
    """CMSIS-NN's s4 kernels where they are exact (not grouped convolutions, not depthwise over an odd number
    of channels with a multiplier); the specialized backend declines every int4 layer: no int8 copy in flash."""
    from tinygen.compiler import compile_model

    for name, tflite in (("chain_a", _chain_a()), ("chain_b", _chain_b())):
        path = tmp_path / f"{name}.tflite"
        path.write_bytes(tflite)
        cmsis = compile_model(path, backend="cmsis-nn", core="cortex-m4")
        assert [layer.kernel for layer in cmsis.layers] == CMSIS_KERNELS[name]
        portable = compile_model(path, backend="portable", core="cortex-m4")
        specialized = compile_model(path, backend="specialized", core="cortex-m4")
        assert [layer.kernel for layer in specialized.layers] == [layer.kernel for layer in portable.layers]
        assert all(layer.kernel.endswith("_s4") or layer.kernel == "memcpy" for layer in portable.layers)
        weights = [layer.const("weights").nbytes for layer in portable.layers if layer.has_const("weights")]
        assert weights == [(t.size + 1) // 2 for t in portable.graph.tensors if t.dtype == "int4"]


@pytest.mark.parametrize("target,backend", [("cortex-m4", "portable"), ("cortex-m4", "cmsis-nn"),
                                            ("cortex-m4", "specialized"), ("rv32imc", "portable")])
def test_int4_emulated(tmp_path, target, backend):
    """The portable kernels, CMSIS-NN's s4 kernels and the specialized backend (which declines int4 layers: the
    portable kernels run) under QEMU, on two chains that hold every case's kind of layer."""
    from tinygen.emulation import emulate

    need_target(target)
    if backend == "cmsis-nn" and not os.environ.get("TINYGEN_CMSIS_NN"):
        pytest.skip("TINYGEN_CMSIS_NN is not set: no CMSIS-NN source tree to build with")
    for name, tflite in (("chain_a", _chain_a()), ("chain_b", _chain_b())):
        path = tmp_path / f"{name}.tflite"
        path.write_bytes(tflite)
        result = emulate(path, count=1, target=target, backend=backend)
        assert np.array_equal(result.outputs, result.expected), f"{name}: {result.summary()}"


def _refusal(build) -> str:
    from tinygen.compiler import compile_graph
    from tinygen.errors import TinygenError
    from tinygen.frontend.tflite import parse_tflite

    m = SchemaModel()
    x, y = build(m, np.random.default_rng(0))
    with pytest.raises(TinygenError) as e:
        compile_graph(parse_tflite(m.finish([x], [y])), "model", "portable", "host")
    return str(e.value)


def test_refuses_per_channel_int4_fully_connected():
    def build(m, rng):
        x = m.tensor([1, 8], scale=0.05)
        return x, _int4_layer(m, rng, "FULLY_CONNECTED", x, [3, 8], [1, 3], 0, per_channel=True)
    assert "int4 weights quantized per channel" in _refusal(build)


def test_refuses_int4_weights_with_int16_activations():
    def build(m, rng):
        x = m.tensor([1, 5, 5, 2], "int16", scale=0.001)
        channels = 3
        w = m.tensor([channels, 1, 1, 2], "int4", data=int4.pack(rng.integers(-8, 8, 6)), scale=[0.1] * channels,
                     zero_point=[0] * channels)
        b = m.tensor([channels], "int64", data=np.zeros(channels, np.int64), scale=[0.0001] * channels,
                     zero_point=[0] * channels)
        y = m.tensor([1, 5, 5, channels], "int16", scale=0.01)
        m.op("CONV_2D", [x, w, b], [y], **CONV_OPTIONS)
        return x, y
    assert "int4 weights with int16 activations" in _refusal(build)


def test_refuses_int4_activation():
    """A non-constant int4 tensor (an operator's output) is refused naming the operators that use it."""
    def build(m, rng):
        x = m.tensor([1, 4], scale=0.05)
        h = m.tensor([1, 4], "int4", scale=0.05)
        m.op("QUANTIZE", [x], [h])
        y = m.tensor([1, 4], scale=0.05)
        m.op("QUANTIZE", [h], [y])
        return x, y
    message = _refusal(build)
    assert "is int4, used as QUANTIZE (operator 1) input 0, QUANTIZE (operator 0) output" in message


def test_report_shows_packed_filter_bytes(tmp_path):
    from tinygen.compiler import compile_model
    from tinygen.report import format_table, memory_report

    path = tmp_path / "chain_a.tflite"
    path.write_bytes(_chain_a())
    report = memory_report(compile_model(path, backend="portable"))
    filters = [layer["filter"] for layer in report["layers"] if layer["filter"]]
    assert [(f["dtype"], f["count"], f["stored_bytes"]) for f in filters] == [
        ("int4", 135, 68), ("int4", 20, 10), ("int4", 36, 18), ("int4", 72, 36), ("int4", 504, 252)]
    assert report["totals"]["weight_bytes"] == sum(layer["weight_bytes"] for layer in report["layers"])
    assert "68 (int4)" in format_table(report)
