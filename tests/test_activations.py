"""LOGISTIC, TANH, RELU, RELU6, HARD_SWISH (int8): every one of the 256 input values, under several random
quantizations, on the model input directly and after a Dense layer; bit-exact with TFLM."""
import numpy as np
import pytest

from helpers import int8_tflite, keras_model, op_kinds

ACTIVATIONS = {"sigmoid": "LOGISTIC", "tanh": "TANH", "relu": "RELU", "relu6": "RELU6", "hard_swish": "HARD_SWISH"}


def assert_every_input_exact(tflite: bytes, tmp_path, size: int) -> None:
    """All int8 values (tiled over the input) plus random samples: TFLM and tinygen agree on every byte."""
    from tinygen.emulate import emulate

    path = tmp_path / "model.tflite"
    path.write_bytes(tflite)
    every = np.resize(np.arange(-128, 128, dtype=np.int8), (2, size))
    every[1] = every[1][::-1]
    rng = np.random.default_rng(size)
    inputs = np.concatenate([every, rng.integers(-128, 128, (4, size), dtype=np.int8)]).reshape(-1, 1, size)
    result = emulate(path, inputs=inputs)
    assert np.array_equal(result.outputs, result.expected), result.summary()


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_on_input(tmp_path, name, seed):
    import tensorflow as tf

    model = keras_model([tf.keras.layers.Activation(name)], (256,), seed=seed)
    tflite = int8_tflite(model, (256,), seed=seed)
    assert op_kinds(tflite, tmp_path) == [ACTIVATIONS[name]]
    assert_every_input_exact(tflite, tmp_path, 256)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_after_dense(tmp_path, name):
    """A computed input (its own quantization); a wide calibration range so large values saturate."""
    import tensorflow as tf

    model = keras_model([tf.keras.layers.Dense(96), tf.keras.layers.Activation(name)], (8,), seed=3)
    tflite = int8_tflite(model, (8,), seed=3, calibration_scale=6.0)
    kinds = op_kinds(tflite, tmp_path)
    assert ACTIVATIONS[name] in kinds or name in ("relu", "relu6")  # the converter fuses these into Dense
    assert_every_input_exact(tflite, tmp_path, 8)
