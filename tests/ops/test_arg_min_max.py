"""ARG_MAX and ARG_MIN (int8, float32 → int32): a Keras classifier head, every axis of a rank-4 tensor, ties (the first
index wins), bit-exact with TFLM; int64 indices and a computed axis refused as TFLM refuses them."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, op_kinds
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.errors import TinygenError

INT32, INT64 = 2, 4  # schema TensorType


def _model(kind: str, x_shape, axis: int, output_type: int = INT32, zero_point: int = -3,
           dtype: str = "int8") -> bytes:
    m = SchemaModel("arg")
    x = m.tensor(x_shape, dtype, **({} if dtype == "float32" else {"scale": 0.05, "zero_point": zero_point}))
    a = m.tensor([1], "int32", data=np.array([axis], np.int32))
    rank = len(x_shape)
    y_shape = [d for i, d in enumerate(x_shape) if i != axis % rank]
    y = m.tensor(y_shape, "int32" if output_type == INT32 else "int64")
    m.op(kind, [x, a], [y], output_type=output_type)
    return m.finish([x], [y])


@pytest.mark.parametrize("kind", ["ARG_MAX", "ARG_MIN"])
@pytest.mark.parametrize("axis", [0, 1, 2, 3, -1, -3])
def test_every_axis(tmp_path, kind, axis):
    assert_bit_exact(_model(kind, [2, 3, 4, 5], axis), tmp_path, count=10, seed=axis + 5)


@pytest.mark.parametrize("kind", ["ARG_MAX", "ARG_MIN"])
def test_ties_keep_the_first_index(tmp_path, kind):
    """Three values per output: random int8 inputs tie often; an all-equal input gives index 0 everywhere."""
    tflite = _model(kind, [1, 64, 3], -1)
    assert_bit_exact(tflite, tmp_path, count=20)
    from tinygen.emulation import emulate

    path = tmp_path / "ties.tflite"
    path.write_bytes(tflite)
    result = emulate(path, inputs=np.full((1, 1, 64, 3), 7, np.int8), backend="portable")
    assert np.array_equal(result.outputs, result.expected) and not result.outputs.any()


@pytest.mark.parametrize("kind", ["ARG_MAX", "ARG_MIN"])
def test_float32_values(tmp_path, kind):
    """TFLM's float32 values, with NaNs (never better, nor beaten when first) and ties."""
    from tinygen.emulation import emulate

    x = np.round(np.random.default_rng(4).standard_normal((6, 2, 3, 4, 5)), 1).astype(np.float32)  # ties
    x[0, 0, 0, :, 0] = [np.nan, 1.0, 2.0, np.nan]
    x[0, 0, 1, :, 0] = [1.0, np.nan, 2.0, np.nan]
    path = tmp_path / "arg.tflite"
    path.write_bytes(_model(kind, [2, 3, 4, 5], 2, dtype="float32"))
    result = emulate(path, inputs=x)
    assert np.array_equal(result.outputs, result.expected), result.summary()


def test_keras_classifier_head(tmp_path):
    import tensorflow as tf

    build = [tf.keras.layers.Dense(10), tf.keras.layers.Lambda(lambda t: tf.math.argmax(t, axis=-1,
                                                                                        output_type=tf.int32))]
    tflite = int8_tflite(keras_model(build, (12,), seed=4), (12,), seed=4)
    assert "ARG_MAX" in op_kinds(tflite, tmp_path)
    result = assert_bit_exact(tflite, tmp_path, count=50)
    assert result.outputs.dtype == np.int32 and len(np.unique(result.outputs)) > 1


@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
def test_cross(tmp_path, target):
    assert_bit_exact(_model("ARG_MAX", [3, 7], 1), tmp_path, count=3, target=target)


def test_int64_indices_are_refused(tmp_path):
    path = tmp_path / "arg64.tflite"
    path.write_bytes(_model("ARG_MAX", [1, 8], -1, output_type=INT64))
    with pytest.raises(TinygenError, match=r"model output 't2' is int64"):  # TFLM computes no int64 indices
        compile_model(path)
