"""ABS (int8): every one of the 256 input values under random quantizations, equal and extreme scales, after a
convolution; bit-exact with TFLM."""
import functools

import pytest

from tests.support.helpers import (assert_every_input_exact, assert_graph_bit_exact, int8_tflite, keras_model,
                                   op_kinds, with_quantization)


@functools.lru_cache(maxsize=None)
def _abs_model(seed: int) -> bytes:
    """abs alone on a [1, 256] input, converted with a random input quantization."""
    import tensorflow as tf

    return int8_tflite(keras_model(lambda x: tf.keras.ops.abs(x), (256,), seed=seed), (256,), seed=seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_on_input(tmp_path, seed):
    tflite = _abs_model(seed)
    assert op_kinds(tflite, tmp_path) == ["ABS"]
    assert_every_input_exact(tflite, tmp_path, 256)


# input (scale, zero point), output (scale, zero point)
EDGES = [((0.05, 3), (0.05, -128)), ((0.05, -128), (0.05, 127)), ((5.0, 100), (0.001, -128)),
         ((1e-6, -100), (1.0, 50)), ((0.02, 127), (0.01, -20)), ((0.02, 0), (0.0200001, 0))]


@pytest.mark.parametrize("x_quant,y_quant", EDGES)
def test_extreme_quantization(tmp_path, x_quant, y_quant):
    assert_every_input_exact(with_quantization(_abs_model(0), {0: x_quant, 1: y_quant}), tmp_path, 256)


def test_after_conv(tmp_path):
    import tensorflow as tf

    L = tf.keras.layers
    assert_graph_bit_exact(lambda x: tf.keras.ops.abs(L.Conv2D(4, 3)(x)), (6, 5, 3), 17, tmp_path)
