"""ADD int8 and int16 (16x8): same-shape (x + Dense(x), x + Conv(x)), broadcasting against constants and against a reshaped
branch up to rank 4, fused activations, random quantization; every case bit-exact with TFLM."""
import numpy as np
import pytest

from tests.support.helpers import assert_graph_bit_exact, random_constant


def _branches(kind, seed):
    """(callable building the graph from the one input, input shape)."""
    import tensorflow as tf

    L, ops = tf.keras.layers, tf.keras.ops
    if kind == "dense":
        return (lambda x: L.Add()([x, L.Dense(12)(x)])), (12,)
    if kind == "dense_relu":
        return (lambda x: L.ReLU()(L.Add()([L.Dense(9)(x), x]))), (9,)
    if kind == "conv_relu6":
        return (lambda x: L.ReLU(6.0)(L.Add()([x, L.Conv2D(3, 3, padding="same")(x)]))), (5, 6, 3)
    if kind == "const_same_shape":
        return (lambda x: ops.add(x, random_constant((1, 3, 4, 2), seed))), (3, 4, 2)
    if kind == "const_channels":  # [1,4,4,3] + [1,1,1,3]
        return (lambda x: ops.add(x, random_constant((1, 1, 1, 3), seed))), (4, 4, 3)
    if kind == "const_first":  # constant as the first operand, rank 3
        return (lambda x: ops.add(random_constant((7,), seed), x)), (3, 7)
    if kind == "const_scalar":
        return (lambda x: ops.add(x, np.float32(1.75))), (2, 3, 5)
    if kind == "two_sided":  # [1,4,1,3] + [1,1,5,3] -> [1,4,5,3]
        return (lambda x: L.Add()([L.AveragePooling2D((1, 5))(x), L.MaxPooling2D((4, 1))(x)])), (4, 5, 3)
    if kind == "row_plus_column":  # rank 2 broadcast of reshaped branches: [1,6] + [6,1]... via Dense
        return (lambda x: L.Add()([L.Reshape((1, 6))(L.Dense(6)(x)), L.Reshape((4, 1))(L.Dense(4)(x))])), (5,)
    raise ValueError(kind)


KINDS = ["dense", "dense_relu", "conv_relu6", "const_same_shape", "const_channels", "const_first", "const_scalar",
         "two_sided", "row_plus_column"]


@pytest.mark.parametrize("kind", KINDS)
def test_add(tmp_path, kind):
    seed = KINDS.index(kind) + 11
    assert_graph_bit_exact(*_branches(kind, seed), seed, tmp_path)


@pytest.mark.parametrize("code", [1, 2, 3])
@pytest.mark.parametrize("kind", ["const_channels", "two_sided"])
def test_add_fused_activation(tmp_path, kind, code):
    seed = 40 + code
    assert_graph_bit_exact(*_branches(kind, seed), seed, tmp_path, activation=code)


# 16x8: the same graphs with int16 activations (TFLM's general int16 ADD: 15 bits of headroom).
KINDS_16X8 = ["dense", "dense_relu", "conv_relu6", "const_same_shape", "const_channels", "const_first",
              "const_scalar", "two_sided", "row_plus_column"]


@pytest.mark.parametrize("kind", KINDS_16X8)
def test_add_16x8(tmp_path, kind):
    seed = KINDS.index(kind) + 61
    result = assert_graph_bit_exact(*_branches(kind, seed), seed, tmp_path, activations="int16")
    assert result.outputs.dtype.name == "int16"


@pytest.mark.parametrize("code", [1, 3])
def test_add_16x8_fused_activation(tmp_path, code):
    seed = 80 + code
    assert_graph_bit_exact(*_branches("const_channels", seed), seed, tmp_path, activation=code, activations="int16")


def test_add_16x8_cortex_m4(tmp_path):
    from tests.support.helpers import assert_bit_exact, int16_tflite, keras_model

    build, shape = _branches("const_channels", 90)
    assert_bit_exact(int16_tflite(keras_model(build, shape, seed=90), shape, seed=90), tmp_path, count=3,
                     target="cortex-m4")


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32_add_broadcasts(tmp_path, target):
    """float32 ADD (TFLM's reference float Add): equal shapes, a broadcast channel vector, a fused ReLU."""
    import tensorflow as tf

    from tests.support.helpers import assert_float_function_exact

    bias = tf.constant(np.linspace(-1, 1, 5, dtype=np.float32))
    assert_float_function_exact(lambda a, b: tf.nn.relu(a + b) + bias, [[1, 3, 4, 5], [1, 3, 4, 5]], tmp_path,
                                ["ADD"], target)
