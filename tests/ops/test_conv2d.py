"""CONV_2D: kernel sizes, strides, dilations, padding, groups, activations, per-tensor/per-channel weights,
with and without bias, int8 and 16x8 (int64 and int32 biases); every case bit-exact with TFLM. Plus the refusals
for what TFLM would not compute."""
import os

import pytest

from tests.support.helpers import (assert_bit_exact, assert_conv_refused, int8_tflite, keras_model, with_int32_bias,
                                   without_bias)

# (input hwc, filters, kernel, strides, dilation, padding, activation, per_channel, use_bias, groups)
CASES = {
    "1x1_pointwise": ((6, 5, 5), 7, 1, 1, 1, "valid", "relu", True, True, 1),
    "1x1_stride2": ((7, 6, 3), 4, 1, 2, 1, "same", None, True, True, 1),
    "3x3_same": ((8, 8, 3), 8, 3, 1, 1, "same", "relu6", True, True, 1),
    "3x3_stride2_per_tensor": ((9, 7, 7), 5, 3, 2, 1, "same", None, False, True, 1),
    "5x5_no_bias": ((9, 9, 3), 4, 5, 1, 1, "same", "relu", True, False, 1),
    "5x5_stride2_valid": ((12, 10, 5), 3, 5, 2, 1, "valid", None, True, True, 1),
    "1x3_same": ((6, 7, 5), 6, (1, 3), 1, 1, "same", None, True, True, 1),
    "2x3_asymmetric_stride": ((9, 8, 3), 5, (2, 3), (2, 1), 1, "valid", "relu", True, True, 1),
    "4x4_stride2_even_same": ((8, 10, 3), 3, 4, 2, 1, "same", None, True, True, 1),  # odd pad total
    "3x3_dilation2_same": ((10, 9, 5), 7, 3, 1, 2, "same", None, True, True, 1),
    "2x2_dilation5_empty_windows": ((3, 4, 3), 4, 2, 1, 5, "same", None, True, True, 1),  # no tap inside
    "3x2_dilation_2x1_valid": ((9, 8, 3), 4, (3, 2), 1, (2, 1), "valid", "relu6", False, False, 1),
    "3x3_groups2": ((7, 7, 4), 6, 3, 1, 1, "same", None, True, True, 2),  # 3 per group: blocks of one
    "3x3_groups2_of_4": ((6, 6, 6), 8, 3, 2, 1, "same", "relu", True, True, 2),  # blocks of four per group
    "1x1_groups3_per_tensor": ((5, 5, 9), 3, 1, 1, 1, "valid", "relu", False, True, 3),
    "deep_7x7_valid": ((9, 9, 7), 9, (7, 5), 1, 1, "valid", None, True, True, 1),
}


def _model(case: str, activations: str = "int8") -> bytes:
    import tensorflow as tf

    shape, filters, kernel, strides, dilation, padding, activation, per_channel, use_bias, groups = CASES[case]
    seed = list(CASES).index(case) + 1
    layer = tf.keras.layers.Conv2D(filters, kernel, strides=strides, dilation_rate=dilation, padding=padding,
                                   activation=activation, use_bias=use_bias, groups=groups)
    model = keras_model([layer], shape, seed=seed)
    tflite = int8_tflite(model, shape, seed=seed, per_channel=per_channel, activations=activations)
    return tflite if use_bias else without_bias(tflite)


@pytest.mark.parametrize("case", list(CASES))
def test_conv2d(tmp_path, case):
    assert_bit_exact(_model(case), tmp_path, count=4)


CASES_16X8 = ["1x1_pointwise", "3x3_same", "3x3_stride2_per_tensor", "5x5_no_bias", "2x3_asymmetric_stride",
              "3x3_dilation2_same", "2x2_dilation5_empty_windows", "3x3_groups2_of_4"]


@pytest.mark.parametrize("bias", ["int64", "int32"])
@pytest.mark.parametrize("case", CASES_16X8)
def test_conv2d_16x8(tmp_path, case, bias):
    """The converter's int64 biases, and int32 ones (TFLM's int32 accumulator path; quantized_bias_type INT32
    where there is no bias)."""
    from tinygen.compiler import compile_model

    tflite = _model(case, "int16")
    result = assert_bit_exact(tflite if bias == "int64" else with_int32_bias(tflite), tmp_path, count=4)
    assert result.outputs.dtype.name == "int16"
    kernels = [layer.kernel for layer in compile_model(tmp_path / "model.tflite").layers]
    assert kernels == ["tg_convolve_s16" if bias == "int64" else "tg_convolve_s16_acc32"]


@pytest.mark.parametrize("backend", ["cmsis-nn", "specialized"])
def test_conv2d_16x8_cortex_m4(tmp_path, backend):
    """CMSIS-NN and the specialized backend decline 16x8 layers: the portable kernel runs, exact."""
    from tinygen.emulation import emulate

    if backend == "cmsis-nn" and not os.environ.get("TINYGEN_CMSIS_NN"):
        pytest.skip("TINYGEN_CMSIS_NN is not set: no CMSIS-NN source tree to build with")

    path = tmp_path / "conv16.tflite"
    path.write_bytes(_model("3x3_stride2_per_tensor", "int16"))
    result = emulate(path, count=2, target="cortex-m4", backend=backend)
    assert result.exact, result.summary()


def test_conv_stack(tmp_path):
    """Several convolutions in a row: random intermediate quantization, arena reuse."""
    import tensorflow as tf

    L = tf.keras.layers
    layers = [L.Conv2D(8, 3, strides=2, padding="same", activation="relu"), L.Conv2D(6, 1, activation="relu6"),
              L.Conv2D(5, 3, padding="valid")]
    model = keras_model(layers, (16, 14, 3), seed=42)
    assert_bit_exact(int8_tflite(model, (16, 14, 3), seed=42), tmp_path, count=4)


# ---- refusals, on hand-built graphs ----

@pytest.mark.parametrize("x_shape,w_shape,y_shape,options,w_zp,message", [
    ((1, 5, 5, 3), (4, 3, 3, 3), (1, 3, 3, 4), {}, 1, "zero point"),
    ((1, 5, 5, 3), (4, 3, 3, 3), (1, 5, 5, 4), {}, 0, "declares output"),
    ((1, 5, 5, 6), (4, 3, 3, 4), (1, 3, 3, 4), {}, 0, "equal groups"),
    ((1, 5, 5, 3), (4, 7, 3, 3), (1, 1, 3, 4), {}, 0, "does not fit"),
    ((1, 5, 5, 3), (4, 3, 3, 3), (1, 3, 3, 4), {"stride_h": 0}, 0, "stride"),
])
def test_refusals(x_shape, w_shape, y_shape, options, w_zp, message):
    assert_conv_refused("CONV_2D", x_shape, w_shape, y_shape, options, w_zp, message)


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32_convolutions(tmp_path, target):
    """float32 CONV_2D (TFLM's reference Conv<float>): SAME/VALID, strides, dilation, groups, no bias, fused
    ReLU/ReLU6; every output bit equal."""
    import tensorflow as tf

    from tests.support.helpers import float_tflite

    L = tf.keras.layers
    model = keras_model([L.Conv2D(6, 3, padding="same", activation="relu"), L.Conv2D(4, 3, strides=2),
                         L.Conv2D(8, 1, groups=2, use_bias=False), L.Conv2D(3, 3, dilation_rate=2, padding="same",
                                                                          activation="relu6")], (11, 9, 4), seed=1)
    assert_bit_exact(float_tflite(model), tmp_path, count=10 if target == "host" else 2, seed=3, target=target)
