"""DEPTHWISE_CONV_2D: kernel sizes, strides, dilations, padding, depth multipliers, odd and block-crossing channel
counts, activations, per-tensor/per-channel weights, with and without bias, int8 and 16x8; every case bit-exact
with TFLM."""
import pytest

from tests.support.helpers import assert_bit_exact, assert_conv_refused, int8_tflite, keras_model, without_bias

# (input hwc, kernel, strides, dilation, padding, depth multiplier, activation, per_channel, use_bias)
CASES = {
    "3x3_same": ((8, 8, 5), 3, 1, 1, "same", 1, "relu", True, True),
    "3x3_stride2_mult2": ((9, 7, 7), 3, 2, 1, "same", 2, None, True, True),
    "5x5_valid_mult3": ((9, 9, 3), 5, 1, 1, "valid", 3, "relu6", True, True),
    "1x3_same": ((6, 7, 5), (1, 3), 1, 1, "same", 1, None, True, True),
    "2x3_asymmetric_stride": ((9, 8, 3), (2, 3), (1, 2), 1, "valid", 1, "relu", True, True),
    "3x3_dilation2_same": ((10, 9, 7), 3, 1, 2, "same", 1, None, True, True),
    "2x2_dilation5_empty_windows": ((3, 4, 6), 2, 1, 5, "same", 1, None, True, True),  # no tap inside
    "3x3_per_tensor_no_bias": ((7, 6, 5), 3, 1, 1, "same", 1, "relu6", False, False),
    "1x1_mult2_per_tensor": ((5, 4, 3), 1, 1, 1, "valid", 2, None, False, True),
    "4x4_stride2_even_same": ((8, 10, 4), 4, 2, 1, "same", 1, None, True, True),  # odd pad total
    "70_channels": ((5, 5, 70), 3, 1, 1, "same", 1, None, True, True),  # more than one channel block
    "23_channels_mult3": ((5, 6, 23), 3, 2, 1, "same", 3, "relu", True, True),  # block edge inside a group
    "3x2_dilation_2x1_no_bias": ((9, 8, 3), (3, 2), 1, (2, 1), "valid", 2, None, True, False),
}


def _model(case: str, activations: str = "int8") -> bytes:
    import tensorflow as tf

    shape, kernel, strides, dilation, padding, mult, activation, per_channel, use_bias = CASES[case]
    seed = list(CASES).index(case) + 11
    layer = tf.keras.layers.DepthwiseConv2D(kernel, strides=strides, dilation_rate=dilation, padding=padding,
                                            depth_multiplier=mult, activation=activation, use_bias=use_bias)
    model = keras_model([layer], shape, seed=seed)
    tflite = int8_tflite(model, shape, seed=seed, per_channel=per_channel, activations=activations)
    return tflite if use_bias else without_bias(tflite, marker=False)


@pytest.mark.parametrize("case", list(CASES))
def test_depthwise_conv2d(tmp_path, case):
    assert_bit_exact(_model(case), tmp_path, count=4)


# Per-tensor weights are left out: the converter's 16x8 calibration refuses them for depthwise layers.
CASES_16X8 = ["3x3_same", "3x3_stride2_mult2", "5x5_valid_mult3", "3x3_dilation2_same", "2x2_dilation5_empty_windows",
              "23_channels_mult3", "3x2_dilation_2x1_no_bias"]


@pytest.mark.parametrize("case", CASES_16X8)
def test_depthwise_conv2d_16x8(tmp_path, case):
    result = assert_bit_exact(_model(case, "int16"), tmp_path, count=4)
    assert result.outputs.dtype.name == "int16"


def test_depthwise_conv2d_16x8_cortex_m4(tmp_path):
    """On the Cortex-M4 the specialized backend (its default) declines 16x8 layers: the portable kernel runs,
    exact."""
    from tinygen.emulation import emulate

    path = tmp_path / "dw16.tflite"
    path.write_bytes(_model("3x3_stride2_mult2", "int16"))
    result = emulate(path, count=2, target="cortex-m4")
    assert result.exact and result.backend == "specialized", result.summary()


def test_mobilenet_block(tmp_path):
    """Depthwise then pointwise, as in MobileNet: two kernels, random intermediate quantization."""
    import tensorflow as tf

    L = tf.keras.layers
    layers = [L.Conv2D(8, 3, strides=2, padding="same", activation="relu"),
              L.DepthwiseConv2D(3, padding="same", activation="relu"), L.Conv2D(16, 1, activation="relu"),
              L.DepthwiseConv2D(3, strides=2, padding="same", activation="relu")]
    model = keras_model(layers, (16, 16, 3), seed=7)
    assert_bit_exact(int8_tflite(model, (16, 16, 3), seed=7), tmp_path, count=4)


@pytest.mark.parametrize("x_shape,w_shape,y_shape,options,w_zp,message", [
    ((1, 5, 5, 3), (1, 3, 3, 3), (1, 3, 3, 3), {"depth_multiplier": 1}, 2, "zero point"),
    ((1, 5, 5, 3), (1, 3, 3, 6), (1, 3, 3, 6), {"depth_multiplier": 1}, 0, "depth multiplier"),
    ((1, 5, 5, 3), (1, 3, 3, 3), (1, 3, 4, 3), {"depth_multiplier": 1}, 0, "declares output"),
    ((1, 5, 5, 3), (2, 3, 3, 3), (1, 3, 3, 3), {"depth_multiplier": 1}, 0, "filter shape"),
])
def test_refusals(x_shape, w_shape, y_shape, options, w_zp, message):
    assert_conv_refused("DEPTHWISE_CONV_2D", x_shape, w_shape, y_shape, options, w_zp, message)


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32_depthwise(tmp_path, target):
    """float32 DEPTHWISE_CONV_2D (TFLM's reference DepthwiseConv<float>): multiplier 2, stride 2 without bias,
    dilation, fused ReLU6."""
    import tensorflow as tf

    from tests.support.helpers import float_tflite

    L = tf.keras.layers
    model = keras_model([L.DepthwiseConv2D(3, padding="same", depth_multiplier=2, activation="relu6"),
                         L.DepthwiseConv2D(3, strides=2, use_bias=False),
                         L.DepthwiseConv2D(3, dilation_rate=2, padding="same")], (12, 10, 3), seed=2)
    assert_bit_exact(float_tflite(model), tmp_path, count=10 if target == "host" else 2, seed=4, target=target)
