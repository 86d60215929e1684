"""MUL int8 and int16 (16x8): same-shape (x * Dense(x), x * x), broadcasting against constants (scalar, per channel) and between
reshaped branches up to rank 4, fused activations, random quantization; every case bit-exact with TFLM."""
import numpy as np
import pytest

from tests.support.helpers import assert_graph_bit_exact, random_constant


def _branches(kind, seed):
    """(callable building the graph from the one input, input shape)."""
    import tensorflow as tf

    L, ops = tf.keras.layers, tf.keras.ops
    if kind == "dense":
        return (lambda x: L.Multiply()([x, L.Dense(10)(x)])), (10,)
    if kind == "square":
        return (lambda x: L.Multiply()([x, x])), (4, 6)
    if kind == "conv":
        return (lambda x: L.Multiply()([L.Conv2D(4, 1)(x), L.Conv2D(4, 3, padding="same")(x)])), (5, 5, 2)
    if kind == "const_same_shape":
        return (lambda x: ops.multiply(x, random_constant((1, 2, 3, 4), seed))), (2, 3, 4)
    if kind == "const_channels":  # [1,4,4,3] * [1,1,1,3]
        return (lambda x: ops.multiply(x, random_constant((1, 1, 1, 3), seed))), (4, 4, 3)
    if kind == "const_scalar_softmax":  # softmax(20 x): the converter keeps MUL by a scalar, then SOFTMAX
        return (lambda x: L.Softmax()(ops.multiply(x, np.float32(20.0)))), (3, 17)
    if kind == "two_sided":  # [1,4,1,3] * [1,1,5,3] -> [1,4,5,3]
        return (lambda x: L.Multiply()([L.AveragePooling2D((1, 5))(x), L.MaxPooling2D((4, 1))(x)])), (4, 5, 3)
    if kind == "const_middle":  # [1,3,5,2] * [3,1,1]
        return (lambda x: ops.multiply(x, random_constant((3, 1, 1), seed))), (3, 5, 2)
    raise ValueError(kind)


KINDS = ["dense", "square", "conv", "const_same_shape", "const_channels", "const_scalar_softmax", "two_sided",
         "const_middle"]


@pytest.mark.parametrize("kind", KINDS)
def test_mul(tmp_path, kind):
    seed = KINDS.index(kind) + 23
    assert_graph_bit_exact(*_branches(kind, seed), seed, tmp_path)


@pytest.mark.parametrize("code", [1, 3])
@pytest.mark.parametrize("kind", ["dense", "const_channels"])
def test_mul_fused_activation(tmp_path, kind, code):
    seed = 50 + code
    assert_graph_bit_exact(*_branches(kind, seed), seed, tmp_path, activation=code)


# 16x8: the same graphs with int16 activations (zero points 0, the int8 arithmetic on int16).
@pytest.mark.parametrize("kind", KINDS)
def test_mul_16x8(tmp_path, kind):
    seed = KINDS.index(kind) + 60
    result = assert_graph_bit_exact(*_branches(kind, seed), seed, tmp_path, activations="int16")
    assert result.outputs.dtype.name == "int16"


@pytest.mark.parametrize("code", [1, 3])
def test_mul_16x8_fused_activation(tmp_path, code):
    seed = 70 + code
    assert_graph_bit_exact(*_branches("dense", seed), seed, tmp_path, activation=code, activations="int16")


def test_mul_16x8_cortex_m4(tmp_path):
    from tests.support.helpers import assert_bit_exact, int16_tflite, keras_model

    build, shape = _branches("two_sided", 75)
    assert_bit_exact(int16_tflite(keras_model(build, shape, seed=75), shape, seed=75), tmp_path, count=3,
                     target="cortex-m4")


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32_mul_broadcasts(tmp_path, target):
    """float32 MUL (TFLM's reference float Mul): elementwise, and by a broadcast constant."""
    import tensorflow as tf

    from tests.support.helpers import assert_float_function_exact

    scale = tf.constant(np.random.default_rng(1).standard_normal((1, 1, 6)).astype(np.float32))
    assert_float_function_exact(lambda a, b: a * b * scale, [[1, 4, 6], [1, 4, 6]], tmp_path, ["MUL"], target)
