"""CONCATENATION: every axis (negative too), ranks 2–5, several inputs, constant inputs, int8 and int16 (16x8),
bit-exact with TFLM."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, op_kinds, with_quantization


def _check(tmp_path, build, shape, seed, activations="int8", target="host"):
    tflite = int8_tflite(keras_model(build, shape, seed=seed), shape, seed=seed, activations=activations)
    assert "CONCATENATION" in op_kinds(tflite, tmp_path)
    assert assert_bit_exact(tflite, tmp_path, target=target).outputs.dtype.name == activations


@pytest.mark.parametrize("shape,axis", [((7,), -1), ((3, 5), 1), ((3, 5), -2), ((4, 3, 2), 2), ((4, 3, 2), -3)])
def test_input_and_dense(tmp_path, shape, axis):
    """x and Dense(x) share the output's quantization (the converter requantizes the Dense)."""
    import tensorflow as tf

    def build(x):
        return tf.keras.layers.Concatenate(axis=axis)([x, tf.keras.layers.Dense(shape[-1])(x), x])

    _check(tmp_path, build, shape, seed=len(shape) + axis)


@pytest.mark.parametrize("activations", ["int8", "int16"])
@pytest.mark.parametrize("axis", [0, 1, 2, 3])
def test_4d_every_axis(tmp_path, axis, activations):
    """int16 too (TFLM copies int16 inputs unrescaled, whatever their scales)."""
    import keras
    import tensorflow as tf

    def build(x):
        dense = tf.keras.layers.Dense(2)(x)
        return tf.keras.layers.Lambda(lambda t: keras.ops.concatenate(t, axis=axis))([dense, x, dense])

    _check(tmp_path, build, (3, 5, 2), seed=axis, activations=activations)


def test_16x8_on_cortex_m4(tmp_path):
    import tensorflow as tf

    def build(x):
        return tf.keras.layers.Concatenate(axis=-1)([x, tf.keras.layers.Dense(4)(x), x])

    _check(tmp_path, build, (3, 5), seed=9, activations="int16", target="cortex-m4")


def test_rank5_and_constant_input(tmp_path):
    """A constant joins a rank-5 activation on an inner axis (the compiler merges dimensions down to 4)."""
    import keras
    import tensorflow as tf

    const = np.linspace(-1.0, 1.0, 3 * 2 * 1 * 2, dtype=np.float32).reshape(1, 3, 2, 1, 2)

    def build(x):
        y = keras.ops.concatenate([x, keras.ops.convert_to_tensor(const)], axis=3)
        return tf.keras.layers.Lambda(lambda t: keras.ops.concatenate([t, t], axis=-2))(y)

    _check(tmp_path, build, (3, 2, 2, 2), seed=5)


def test_refuses_rescaling(tmp_path):
    """TFLM rejects int8 inputs quantized unlike the output; so does tinygen."""
    import tensorflow as tf
    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    tflite = int8_tflite(keras_model(lambda x: tf.keras.layers.Concatenate()([x, x]), (3,)), (3,))
    path = tmp_path / "refused.tflite"
    path.write_bytes(with_quantization(tflite, {0: (0.5, 1)}))
    with pytest.raises(TinygenError, match="quantized .* unlike the output"):
        compile_model(path)


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32_along_every_axis(tmp_path, target):
    """float32 CONCATENATION (TFLM copies the float bytes): channels, width and the outermost axis."""
    import tensorflow as tf

    from tests.support.helpers import assert_float_function_exact

    def joined(a, b):
        c = tf.concat([a, b], axis=3)
        wide = tf.concat([c, c * 2.0], axis=2)
        return tf.concat([wide, wide + 1.0], axis=0)

    assert_float_function_exact(joined, [[1, 3, 4, 2], [1, 3, 4, 5]], tmp_path, ["CONCATENATION"], target)
