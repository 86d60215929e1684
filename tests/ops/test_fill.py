"""FILL (int8, float32): TensorFlow's tf.fill of a run-time value converted with int8 quantization, hand-built models (a
constant value folded away, or filling a model output), bit-exact with TFLM; refusals (int16, which TFLM does
not fill; a value quantized unlike the output) name the operator."""
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


def _model(convert, seed=0):
    import tensorflow as tf

    fill = tf.keras.layers.Lambda(lambda t: tf.fill([1, 3, 4], tf.reshape(t[0, 1, 2], [])))
    return convert(keras_model([tf.keras.layers.Dense(3), fill], (2, 3), seed=seed), (2, 3), seed=seed)


@pytest.mark.parametrize("seed", [0, 1])
def test_converted(tmp_path, seed):
    tflite = _model(int8_tflite, seed)
    assert op_kinds(tflite, tmp_path)[-1] == "FILL"
    assert "FILL" in [layer.op.kind for layer in _program(tflite, tmp_path).layers]
    assert_bit_exact(tflite, tmp_path, count=6, seed=seed)


def _fill(value_data=None, value_zero_point=4, dims=(2, 3, 5), value_shape=(), add=False):
    m = SchemaModel()
    x = m.tensor([2, 3, 5], scale=0.05, zero_point=4)
    v = m.tensor(list(value_shape), scale=0.05, zero_point=value_zero_point,
                 data=None if value_data is None else np.array(value_data, np.int8).reshape(value_shape))
    d = m.tensor([len(dims)], "int32", data=np.array(dims, np.int32))
    f = m.tensor(list(dims), scale=0.05, zero_point=4)
    m.op("FILL", [d, v], [f])
    if add:  # x + the fill: a constant fill folds
        y = m.tensor([2, 3, 5], scale=0.1, zero_point=-2)
        m.op("ADD", [x, f], [y])
        return m.finish([x], [y])
    r = m.tensor([2, 3, 5], scale=0.05, zero_point=4)
    m.op("RELU", [x], [r])
    return m.finish([x] if value_data is not None else [x, v], [r, f])


def test_constant_fill_folds(tmp_path):
    tflite = _fill(-77, add=True)
    assert [layer.op.kind for layer in _program(tflite, tmp_path).layers] == ["ADD"]
    assert_bit_exact(tflite, tmp_path, count=4)


def test_constant_fill_of_a_model_output(tmp_path):
    """A model output cannot fold: the fill is compiled, reading the value from flash."""
    tflite = _fill(93)
    assert sorted(layer.op.kind for layer in _program(tflite, tmp_path).layers) == ["FILL", "RELU"]
    from tinygen.emulation import emulate

    (tmp_path / "two.tflite").write_bytes(tflite)
    result = emulate(tmp_path / "two.tflite", count=3, backend="portable")
    assert result.per_output and set(result.per_output.values()) == {0}, result.summary()
    filled = [v for v in result.outputs.values() if v.shape[1:] == (2, 3, 5)]
    assert any(np.all(v == 93) for v in filled)


def test_cortex_m4(tmp_path):
    assert_bit_exact(_model(int8_tflite, seed=2), tmp_path, count=3, target="cortex-m4")


def test_refusals(tmp_path):
    with pytest.raises(TinygenError, match=r"FILL \(operator \d+\) fills int16 from a int16 value of shape \[\]; "
                                           "TFLite Micro fills float32, int32, int8"):
        _program(_model(int16_tflite), tmp_path)
    with pytest.raises(TinygenError, match=r"FILL \(operator 0\) reads 't1' .* quantized unlike its output"):
        _program(_fill(3, value_zero_point=0), tmp_path)
    with pytest.raises(TinygenError, match=r"FILL \(operator 0\) fills int8 from a int8 value of shape \[1\]"):
        _program(_fill(3, value_shape=(1,)), tmp_path)
    with pytest.raises(TinygenError, match=r"FILL \(operator 0\) fills \[2, 3, 5\] from dims \[2, 3\]"):
        m = SchemaModel()
        v = m.tensor([], scale=0.05, zero_point=4, data=np.array(1, np.int8))
        d = m.tensor([2], "int32", data=np.array([2, 3], np.int32))
        x = m.tensor([2, 3, 5], scale=0.05, zero_point=4)
        f = m.tensor([2, 3, 5], scale=0.05, zero_point=4)
        m.op("FILL", [d, v], [f])
        y = m.tensor([2, 3, 5], scale=0.1, zero_point=-2)
        m.op("ADD", [x, f], [y])
        _program(m.finish([x], [y]), tmp_path)


def test_float32(tmp_path):
    """A float model's tf.fill of a run-time value: TFLM's float32 FillImpl, the value copied bit for bit."""
    import tensorflow as tf

    from tests.support.helpers import float_tflite

    spec = [tf.TensorSpec([2, 3], tf.float32)]
    tflite = float_tflite(tf.function(lambda t: tf.fill([1, 3, 4], tf.reshape(t[0, 1] * 2.0, [])),
                                      input_signature=spec))
    assert "FILL" in op_kinds(tflite, tmp_path)
    assert [layer.kernel for layer in _program(tflite, tmp_path).layers if layer.op.kind == "FILL"] == \
        ["tg_transpose_f32"]
    result = assert_bit_exact(tflite, tmp_path, count=4)
    assert result.outputs.dtype == np.float32
