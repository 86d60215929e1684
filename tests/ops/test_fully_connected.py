"""FULLY_CONNECTED: sizes, activations, batch, per-tensor and per-channel weights, int8 and 16x8 (int64 and int32
biases), bit-exact with TFLM."""
import pytest

from tests.support.helpers import (assert_bit_exact, int8_tflite, int16_tflite, keras_model, op_kinds,
                                   with_int32_bias, without_bias)


@pytest.mark.parametrize("units,inputs,activation,per_channel", [
    (1, 1, None, True), (7, 13, "relu", True), (16, 33, "relu6", False), (10, 64, None, False),
])
def test_dense(tmp_path, units, inputs, activation, per_channel):
    import tensorflow as tf

    model = keras_model([tf.keras.layers.Dense(units, activation=activation)], (inputs,), seed=units)
    assert_bit_exact(int8_tflite(model, (inputs,), seed=units, per_channel=per_channel), tmp_path)


def test_dense_on_3d_input(tmp_path):
    import tensorflow as tf

    model = keras_model([tf.keras.layers.Dense(5)], (3, 11), seed=3)
    assert_bit_exact(int8_tflite(model, (3, 11), seed=3), tmp_path)


# ---- 16x8: int16 activations, int8 weights ----

CASES_16X8 = {  # units, input shape, activation, per-channel, bias: "int64" (the converter's), "int32" or None
    "1x1": (1, (1,), None, True, "int64"),
    "relu_per_channel": (7, (13,), "relu", True, "int64"),
    "relu6_per_tensor": (16, (33,), "relu6", False, "int64"),
    "batch_3d_int32_bias": (5, (3, 11), None, True, "int32"),
    "per_tensor_int32_bias": (9, (40,), "relu", False, "int32"),
    "no_bias_int64": (6, (20,), None, True, None),
    "no_bias_int32": (6, (20,), None, False, "no-bias-int32"),
}


def _dense_16x8(case):
    import tensorflow as tf

    units, shape, activation, per_channel, bias = CASES_16X8[case]
    seed = list(CASES_16X8).index(case) + 11
    model = keras_model([tf.keras.layers.Dense(units, activation=activation)], shape, seed=seed)
    tflite = int16_tflite(model, shape, seed=seed, per_channel=per_channel)
    if bias in ("int32", "no-bias-int32"):
        tflite = with_int32_bias(without_bias(tflite) if bias == "no-bias-int32" else tflite)
    return without_bias(tflite) if bias is None else tflite


@pytest.mark.parametrize("case", list(CASES_16X8))
def test_dense_16x8(tmp_path, case):
    from tinygen.compiler import compile_model

    tflite = _dense_16x8(case)
    result = assert_bit_exact(tflite, tmp_path, count=16)
    assert result.outputs.dtype.name == "int16"
    kernels = [layer.kernel for layer in compile_model(tmp_path / "model.tflite").layers]
    int32_bias = CASES_16X8[case][-1] in ("int32", "no-bias-int32")
    assert kernels == ["tg_fully_connected_s16_acc32" if int32_bias else "tg_fully_connected_s16"]


@pytest.mark.parametrize("case", ["relu_per_channel", "per_tensor_int32_bias"])
def test_dense_16x8_cortex_m4(tmp_path, case):
    assert_bit_exact(_dense_16x8(case), tmp_path, count=3, target="cortex-m4")


@pytest.mark.parametrize("backend", ["cmsis-nn", "specialized"])
def test_16x8_keeps_the_portable_kernel(tmp_path, backend):
    """CMSIS-NN's and tinygen's specialized FULLY_CONNECTED kernels are int8: a 16x8 layer keeps tg_*_s16."""
    from tinygen.compiler import compile_model

    path = tmp_path / "fc16.tflite"
    path.write_bytes(_dense_16x8("relu_per_channel"))
    program = compile_model(path, backend=backend, core="cortex-m4")
    assert [layer.kernel for layer in program.layers] == ["tg_fully_connected_s16"]


@pytest.mark.parametrize("bias", ["int32", "int64"])
def test_16x8_accumulator_bound(tmp_path, bias):
    """An int32 bias means TFLM's int32 accumulator: 65535 · Σ|w| beyond INT32_MAX is refused; an int64 bias
    accumulates in int64 and compiles."""
    import numpy as np

    from tests.support.schema_model import SchemaModel
    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    m = SchemaModel("fc16")
    x = m.tensor([1, 300], "int16", scale=0.001)
    w = m.tensor([2, 300], data=np.full((2, 300), 127, np.int8), scale=0.01)
    b = m.tensor([2], bias, data=np.zeros(2, bias), scale=0.00001)
    y = m.tensor([1, 2], "int16", scale=0.5)
    m.op("FULLY_CONNECTED", [x, w, b], [y])
    path = tmp_path / "fc16.tflite"
    path.write_bytes(m.finish([x], [y]))
    if bias == "int32":
        with pytest.raises(TinygenError, match="overflow its int32 accumulator"):
            compile_model(path)
    else:
        assert [layer.kernel for layer in compile_model(path).layers] == ["tg_fully_connected_s16"]


@pytest.mark.parametrize("activation", [None, "relu", "relu6"])
def test_float32_dense_layers(tmp_path, activation):
    """A float32 model (TensorFlow's default conversion): TFLM's FullyConnected<float>, every bit equal."""
    import tensorflow as tf

    from tests.support.helpers import float_tflite

    L = tf.keras.layers
    model = keras_model([L.Dense(24, activation=activation), L.Dense(7, use_bias=False), L.Dense(3)], (40,), seed=3)
    tflite = float_tflite(model)
    assert op_kinds(tflite, tmp_path) == ["FULLY_CONNECTED"] * 3
    assert_bit_exact(tflite, tmp_path, count=30, seed=1)
    assert_bit_exact(tflite, tmp_path, count=2, seed=1, target="cortex-m4")


def test_float32_relu_n1_to_1_and_refused_tanh(tmp_path):
    """RELU_N1_TO_1 clamps to [-1, 1]; a fused TANH, which TFLM's float kernel would silently skip, is refused."""
    import tensorflow as tf

    from tests.support.helpers import float_tflite, with_activation
    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    tflite = float_tflite(keras_model([tf.keras.layers.Dense(16)], (8,), seed=5))
    assert_bit_exact(with_activation(tflite, 2), tmp_path, count=20)
    path = tmp_path / "tanh.tflite"
    path.write_bytes(with_activation(tflite, 4))
    with pytest.raises(TinygenError, match=r"fused activation TANH, which TFLite Micro's float kernels do not"):
        compile_model(path)
