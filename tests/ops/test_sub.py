"""SUB int8 and int16 (16x8): same shapes, broadcasting either operand against constants and reshaped branches up to rank 4,
fused activations, random quantization; every case bit-exact with TFLM."""
import pytest

from tests.support.helpers import assert_graph_bit_exact, random_constant


def _branches(kind, seed):
    """(callable building the graph from the one input, input shape)."""
    import tensorflow as tf

    L, ops = tf.keras.layers, tf.keras.ops
    if kind == "dense":
        return (lambda x: L.Subtract()([x, L.Dense(12)(x)])), (12,)
    if kind == "conv":
        return (lambda x: L.Subtract()([L.Conv2D(3, 3, padding="same")(x), x])), (5, 6, 3)
    if kind == "const_channels":  # [1,4,4,3] - [1,1,1,3]
        return (lambda x: ops.subtract(x, random_constant((1, 1, 1, 3), seed))), (4, 4, 3)
    if kind == "const_first":  # constant minus the input, rank 3
        return (lambda x: ops.subtract(random_constant((7,), seed), x)), (3, 7)
    if kind == "two_sided":  # [1,4,1,3] - [1,1,5,3] -> [1,4,5,3]
        return (lambda x: L.Subtract()([L.AveragePooling2D((1, 5))(x), L.MaxPooling2D((4, 1))(x)])), (4, 5, 3)
    if kind == "row_minus_column":
        return (lambda x: L.Subtract()([L.Reshape((1, 6))(L.Dense(6)(x)), L.Reshape((4, 1))(L.Dense(4)(x))])), (5,)
    raise ValueError(kind)


KINDS = ["dense", "conv", "const_channels", "const_first", "two_sided", "row_minus_column"]


@pytest.mark.parametrize("kind", KINDS)
def test_sub(tmp_path, kind):
    seed = KINDS.index(kind) + 61
    assert_graph_bit_exact(*_branches(kind, seed), seed, tmp_path)


@pytest.mark.parametrize("code", [1, 2, 3])
@pytest.mark.parametrize("kind", ["const_channels", "two_sided"])
def test_sub_fused_activation(tmp_path, kind, code):
    seed = 70 + code
    assert_graph_bit_exact(*_branches(kind, seed), seed, tmp_path, activation=code)


# 16x8: the same graphs with int16 activations (TFLM's general int16 SUB: 15 bits of headroom).
KINDS_16X8 = ["dense", "conv", "const_channels", "const_first", "two_sided", "row_minus_column"]


@pytest.mark.parametrize("kind", KINDS_16X8)
def test_sub_16x8(tmp_path, kind):
    seed = KINDS.index(kind) + 61
    result = assert_graph_bit_exact(*_branches(kind, seed), seed, tmp_path, activations="int16")
    assert result.outputs.dtype.name == "int16"


@pytest.mark.parametrize("code", [1, 3])
def test_sub_16x8_fused_activation(tmp_path, code):
    seed = 80 + code
    assert_graph_bit_exact(*_branches("const_channels", seed), seed, tmp_path, activation=code, activations="int16")


def test_sub_16x8_cortex_m4(tmp_path):
    from tests.support.helpers import assert_bit_exact, int16_tflite, keras_model

    build, shape = _branches("const_channels", 90)
    assert_bit_exact(int16_tflite(keras_model(build, shape, seed=90), shape, seed=90), tmp_path, count=3,
                     target="cortex-m4")


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32_sub_broadcasts(tmp_path, target):
    """float32 SUB (TFLM's reference float Sub): a row broadcast against a column, both orders."""
    from tests.support.helpers import assert_float_function_exact

    assert_float_function_exact(lambda a, b: (a - b) - (b - a) * 0.5, [[1, 6, 1], [1, 1, 7]], tmp_path, ["SUB"],
                                target)
