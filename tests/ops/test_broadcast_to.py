"""BROADCAST_TO (int8, int16): TensorFlow's tf.broadcast_to converted with int8 and 16x8 quantization, hand-built
models (int64 shapes, an identity), a broadcast constant folded away, bit-exact with TFLM; refusals name the
operator."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, int16_tflite, keras_model, op_kinds
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.errors import TinygenError


def _program(tflite, tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(tflite)
    return compile_model(path)


@pytest.mark.parametrize("convert", [int8_tflite, int16_tflite])
@pytest.mark.parametrize("shape,target,seed", [
    ((1, 4, 5), (1, 3, 4, 5), 0),  # a new axis
    ((3, 1), (1, 2, 3, 4), 1),  # inner and outer axes
    ((2, 1, 3), (1, 2, 4, 3), 2),
])
def test_converted(tmp_path, convert, shape, target, seed):
    import tensorflow as tf

    model = keras_model([tf.keras.layers.Dense(shape[-1]), tf.keras.layers.Lambda(
        lambda t: tf.broadcast_to(t, target))], shape, seed=seed)
    tflite = convert(model, shape, seed=seed)
    assert "BROADCAST_TO" in op_kinds(tflite, tmp_path)
    assert_bit_exact(tflite, tmp_path, count=6, seed=seed)


def _broadcast(x_shape, target, dtype="int8", shape_dtype="int32", y_zero_point=1, const_shape=True, y_shape=None):
    m = SchemaModel()
    x = m.tensor(x_shape, dtype, scale=0.05, zero_point=1)
    s = (m.tensor([len(target)], shape_dtype, data=np.array(target, shape_dtype)) if const_shape
         else m.tensor([len(target)], shape_dtype, scale=1.0))
    y = m.tensor(y_shape or target, dtype, scale=0.05, zero_point=y_zero_point)
    m.op("BROADCAST_TO", [x, s], [y])
    return m.finish([x] if const_shape else [x, s], [y])


@pytest.mark.parametrize("x_shape,target,dtype", [
    ([3, 1, 2], [2, 2, 3, 4, 2], "int8"),  # rank 5
    ([1, 1, 1], [1, 5, 1, 3], "int16"),
    ([4, 3], [1, 4, 3], "int8"),  # nothing broadcasts: an alias (a copy, as a model output)
])
def test_schema_models(tmp_path, x_shape, target, dtype):
    tflite = _broadcast(x_shape, target, dtype, shape_dtype="int64")
    assert_bit_exact(tflite, tmp_path, count=4)


def test_broadcast_constant_folds(tmp_path):
    m = SchemaModel()
    x = m.tensor([1, 3, 4], scale=0.05, zero_point=0)
    c = m.tensor([1, 4], scale=0.05, zero_point=0, data=np.array([[-100, -3, 50, 127]], np.int8))
    s = m.tensor([3], "int32", data=np.array([1, 3, 4], np.int32))
    b = m.tensor([1, 3, 4], scale=0.05, zero_point=0)
    m.op("BROADCAST_TO", [c, s], [b])
    y = m.tensor([1, 3, 4], scale=0.1, zero_point=2)
    m.op("ADD", [x, b], [y])
    tflite = m.finish([x], [y])
    assert [layer.op.kind for layer in _program(tflite, tmp_path).layers] == ["ADD"]
    assert_bit_exact(tflite, tmp_path, count=4)


def test_cortex_m4(tmp_path):
    assert_bit_exact(_broadcast([3, 1], [2, 3, 5]), tmp_path, count=3, target="cortex-m4")


def test_refusals(tmp_path):
    with pytest.raises(TinygenError, match=r"BROADCAST_TO \(operator 0\) has a run-time or int32 shape"):
        _program(_broadcast([3, 1], [2, 3, 5], const_shape=False), tmp_path)
    with pytest.raises(TinygenError, match=r"BROADCAST_TO \(operator 0\) broadcasts \[3, 2\] to shape \[2, 3, 5\]"):
        _program(_broadcast([3, 2], [2, 3, 5]), tmp_path)
    with pytest.raises(TinygenError, match=r"BROADCAST_TO \(operator 0\) reads 't0' .* quantized unlike its output"):
        _program(_broadcast([3, 1], [2, 3, 5], y_zero_point=4), tmp_path)
