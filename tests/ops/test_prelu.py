"""PRELU (int8; float32 too): Keras PReLU with alpha per element, per channel (shared axes) and trained-like random
alphas of both signs, bit-exact with TFLM."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, op_kinds


@pytest.mark.parametrize("shape,shared_axes", [((4, 5, 3), [1, 2]), ((4, 5, 3), None), ((6,), None), ((3, 7), [1])])
def test_keras_prelu(tmp_path, shape, shared_axes):
    import tensorflow as tf

    prelu = tf.keras.layers.PReLU(shared_axes=shared_axes)
    model = keras_model([tf.keras.layers.Dense(shape[-1]), prelu], shape, seed=len(shape))
    rng = np.random.default_rng(len(shape))
    prelu.set_weights([rng.uniform(-1.5, 1.5, w.shape).astype(np.float32) for w in prelu.get_weights()])
    tflite = int8_tflite(model, shape, seed=len(shape))
    assert "PRELU" in op_kinds(tflite, tmp_path)
    assert_bit_exact(tflite, tmp_path, count=8)


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32(tmp_path, target):
    """TFLM's BroadcastPrelu4DSlowFloat (x >= 0 ? x : x * alpha), alpha per channel, broadcast."""
    import tensorflow as tf

    from tests.support.helpers import float_tflite, keras_model

    model = keras_model([tf.keras.layers.PReLU(shared_axes=[1, 2])], (3, 4, 5), seed=1)
    model.layers[-1].set_weights([np.random.default_rng(1).uniform(-1, 2, (1, 1, 5)).astype(np.float32)])
    tflite = float_tflite(model)
    assert "PRELU" in op_kinds(tflite, tmp_path)
    assert_bit_exact(tflite, tmp_path, count=4, target=target)
