"""LEAKY_RELU (int8, int16; float32 too): every one of the 256 (65536) input values under random quantizations,
positive, zero, negative and above-one alphas, extreme scales, after a convolution; bit-exact with TFLM."""
import functools

import pytest

from tests.support.helpers import (assert_every_input_exact, assert_graph_bit_exact, int8_tflite, keras_model,
                                   need_target, op_kinds, with_option, with_quantization)


@functools.lru_cache(maxsize=None)
def _leaky_model(slope: float, seed: int, activations: str = "int8") -> bytes:
    """LeakyReLU alone on a [1, 256] input, converted with a random input quantization."""
    import tensorflow as tf

    return int8_tflite(keras_model([tf.keras.layers.LeakyReLU(negative_slope=slope)], (256,), seed=seed), (256,),
                       seed=seed, activations=activations)


@pytest.mark.parametrize("slope,seed", [(0.01, 4), (0.3, 5), (0.3, 6), (2.5, 7)])
@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_16x8_every_input(tmp_path, slope, seed, target):
    """All 65536 int16 values (256 samples of 256): the multipliers' double arithmetic decides near-ties."""
    import numpy as np

    from tinygen.emulation import emulate

    need_target(target)
    tflite = _leaky_model(slope, seed, "int16")
    assert op_kinds(tflite, tmp_path) == ["LEAKY_RELU"]
    path = tmp_path / "leaky16.tflite"
    path.write_bytes(tflite)
    inputs = np.arange(-32768, 32768, dtype=np.int16).reshape(256, 1, 256)
    result = emulate(path, inputs=inputs if target == "host" else inputs[::64], target=target)
    assert np.array_equal(result.outputs, result.expected), result.summary()


@pytest.mark.parametrize("slope,seed", [(0.01, 0), (0.3, 1), (0.3, 2), (2.5, 3)])
def test_on_input(tmp_path, slope, seed):
    tflite = _leaky_model(slope, seed)
    assert op_kinds(tflite, tmp_path) == ["LEAKY_RELU"]
    assert_every_input_exact(tflite, tmp_path, 256)


# Alphas the converter would not write: zero, negative (the kernel negates alpha's multiplier's magnitude).
@pytest.mark.parametrize("alpha", [0.0, -0.5, -3.0, 1e-6, 7.0])
def test_any_alpha(tmp_path, alpha):
    assert_every_input_exact(with_option(_leaky_model(0.3, 0), "alpha", alpha), tmp_path, 256)


# input (scale, zero point), output (scale, zero point): saturating and vanishing rescales
EDGES = [((5.0, 100), (0.001, -128)), ((1e-6, -100), (1.0, 50)), ((0.02, 127), (0.02, -128)),
         ((0.02, -128), (0.5, 127)), ((3.0, 0), (3.0, 0))]


@pytest.mark.parametrize("x_quant,y_quant", EDGES)
def test_extreme_quantization(tmp_path, x_quant, y_quant):
    assert_every_input_exact(with_quantization(_leaky_model(0.3, 0), {0: x_quant, 1: y_quant}), tmp_path, 256)


def test_after_conv(tmp_path):
    """Computed rank-4 input with its own quantization."""
    import tensorflow as tf

    L = tf.keras.layers
    assert_graph_bit_exact(lambda x: L.LeakyReLU(0.2)(L.Conv2D(5, 3, padding="same")(x)), (6, 7, 3), 11, tmp_path)


def test_16x8_after_conv(tmp_path):
    import tensorflow as tf

    L = tf.keras.layers
    result = assert_graph_bit_exact(lambda x: L.LeakyReLU(0.2)(L.Conv2D(5, 3, padding="same")(x)), (6, 7, 3), 12,
                                    tmp_path, activations="int16")
    assert result.outputs.dtype.name == "int16"


def test_multiplier_beyond_32_bits_is_refused(tmp_path):
    """in_scale · alpha / out_scale of 2^40: TFLM would shift an int32 left by more than 31 bits."""
    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    path = tmp_path / "refused.tflite"
    path.write_bytes(with_option(with_quantization(_leaky_model(0.3, 0), {0: (1.0, 0), 1: (1.0, 0)}),
                                 "alpha", 2.0**40))
    with pytest.raises(TinygenError, match="too large for 32-bit fixed point"):
        compile_model(path)


@pytest.mark.parametrize("alpha", [0.2, -0.5, 1.7])
def test_float32(tmp_path, alpha):
    """TFLite's reference LeakyRelu<float> for any alpha (above 1 and negative too)."""
    import tensorflow as tf

    from tests.support.helpers import assert_float_function_exact

    assert_float_function_exact(lambda x: tf.nn.leaky_relu(x * 2.0, alpha=alpha), [[1, 64]], tmp_path,
                                ["LEAKY_RELU"])
