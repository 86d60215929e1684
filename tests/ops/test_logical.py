"""LOGICAL_AND, LOGICAL_OR (broadcast) and LOGICAL_NOT on bool tensors: from comparisons (TensorFlow's converter
and schema-built), as bool model inputs and outputs; bit-exact with TFLM. Non-bool operands are refused."""
import functools

import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, op_kinds
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.errors import TinygenError


def _binary(kind, a_shape, b_shape) -> bytes:
    """kind(a, b) of two bool model inputs."""
    m = SchemaModel("logic")
    a, b = m.tensor(a_shape, "bool"), m.tensor(b_shape, "bool")
    y = m.tensor(np.broadcast_shapes(tuple(a_shape), tuple(b_shape)), "bool")
    m.op(kind, [a, b], [y])
    return m.finish([a, b], [y])


@pytest.mark.parametrize("kind", ["LOGICAL_AND", "LOGICAL_OR"])
@pytest.mark.parametrize("a_shape,b_shape", [([2, 3, 8], [2, 3, 8]), ([1, 4, 4, 3], [3]), ([2, 1, 5], [4, 1]),
                                             ([2, 3, 1, 4, 5], [1, 1, 2, 1, 1]), ([2, 1, 3, 1, 2], [1, 4, 1, 5, 2])])
def test_binary(tmp_path, kind, a_shape, b_shape):
    result = assert_bit_exact(_binary(kind, a_shape, b_shape), tmp_path, count=6)
    assert result.outputs.dtype == np.bool_ and 0 < result.outputs.mean() < 1


def test_not_after_a_comparison(tmp_path):
    """NOT (x < a broadcast row) AND x > a constant: NOT overwrites the comparison's result in place."""
    m = SchemaModel("not")
    x = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=-4)
    row = m.tensor([5], scale=0.04, zero_point=2, data=np.array([-100, -20, 0, 30, 90], np.int8))
    low = m.tensor([], scale=0.05, zero_point=-4, data=np.array(-60, np.int8))
    above, below, not_below, y = (m.tensor([1, 3, 4, 5], "bool") for _ in range(4))
    m.op("GREATER", [x, low], [above])
    m.op("LESS", [x, row], [below])
    m.op("LOGICAL_NOT", [below], [not_below])
    m.op("LOGICAL_AND", [not_below, above], [y])
    tflite = m.finish([x], [y])
    result = assert_bit_exact(tflite, tmp_path, count=8)
    assert 0 < result.outputs.mean() < 1
    path = tmp_path / "not.tflite"
    path.write_bytes(tflite)
    layers = {layer.kernel: layer for layer in compile_model(path, backend="portable").layers}
    assert layers["tg_logical_not_u8"].applied_inplace is not None


@functools.lru_cache(maxsize=None)
def _keras_range_check() -> bytes:
    """(x > 0.5) is false, or x < -1: the converter folds the NOT into LESS_EQUAL and writes LOGICAL_OR."""
    import tensorflow as tf

    x = tf.keras.Input(shape=(4, 6), batch_size=1)
    out = tf.keras.layers.Lambda(lambda t: tf.logical_or(tf.logical_not(t > 0.5), t < -1.0))(x)
    return int8_tflite(tf.keras.Model(x, out), (4, 6), seed=1)


def test_keras_logical_or(tmp_path):
    tflite = _keras_range_check()
    assert op_kinds(tflite, tmp_path) == ["LESS_EQUAL", "LESS", "LOGICAL_OR"]
    result = assert_bit_exact(tflite, tmp_path, count=20)
    assert 0 < result.outputs.mean() < 1


def test_keras_logical_and_of_a_range(tmp_path):
    import tensorflow as tf

    x = tf.keras.Input(shape=(4, 6), batch_size=1)
    out = tf.keras.layers.Lambda(lambda t: tf.logical_and(t > 0, t < 1))(x)
    tflite = int8_tflite(tf.keras.Model(x, out), (4, 6), seed=2, calibration_scale=1.0)
    assert op_kinds(tflite, tmp_path) == ["GREATER", "LESS", "LOGICAL_AND"]
    result = assert_bit_exact(tflite, tmp_path, count=20)
    assert 0 < result.outputs.mean() < 1


def test_cross(tmp_path):
    assert_bit_exact(_binary("LOGICAL_OR", [3, 1, 5], [4, 1]), tmp_path, count=3, target="cortex-m4")


def test_non_bool_operands_are_refused(tmp_path):
    m = SchemaModel("int8 and")
    a, b = m.tensor([4], scale=0.05), m.tensor([4], scale=0.05)
    y = m.tensor([4], "bool")
    m.op("LOGICAL_AND", [a, b], [y])
    path = tmp_path / "m.tflite"
    path.write_bytes(m.finish([a, b], [y]))
    with pytest.raises(TinygenError, match=r"LOGICAL_AND \(operator 0\) has int8 tensor 't0'; LOGICAL_AND reads and "
                                           r"writes bool"):
        compile_model(path)
