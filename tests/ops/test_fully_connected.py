"""FULLY_CONNECTED: sizes, activations, batch, per-tensor and per-channel weights, bit-exact with TFLM."""
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model


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
