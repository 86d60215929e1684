"""GATHER_ND (int8 params, int32 indices): TensorFlow's tf.gather_nd converted with int8 quantization, hand-built
models with constant indices (slices, single elements, an index past its axis that TFLM reads inside the params)
and run-time indices (a model input), bit-exact with TFLM; refusals name the operator."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, int16_tflite, keras_model, op_kinds
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.emulation import emulate
from tinygen.errors import TinygenError


def _program(tflite, tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(tflite)
    return compile_model(path)


def _tf_model(convert, indices, shape, seed):
    import tensorflow as tf

    model = keras_model([tf.keras.layers.Dense(shape[-1]), tf.keras.layers.Lambda(
        lambda t: tf.gather_nd(t, indices))], shape, seed=seed)
    return convert(model, shape, seed=seed)


@pytest.mark.parametrize("indices,shape,seed", [
    ([[0, 1], [0, 2]], (3, 4), 0),  # rows of the batch-1 tensor
    ([[0, 2, 1], [0, 0, 3], [0, 1, 1]], (3, 4), 1),  # single elements
    ([[[0, 1]], [[0, 0]]], (3, 2, 4), 2),  # slices of rank 2, indices of rank 3
])
def test_converted(tmp_path, indices, shape, seed):
    tflite = _tf_model(int8_tflite, indices, shape, seed)
    assert "GATHER_ND" in op_kinds(tflite, tmp_path)
    assert_bit_exact(tflite, tmp_path, count=6, seed=seed)


def _constant(indices, x_shape, y_shape):
    m = SchemaModel()
    x = m.tensor(x_shape, scale=0.05, zero_point=3)
    i = m.tensor(np.shape(indices), "int32", data=np.array(indices, np.int32))
    y = m.tensor(y_shape, scale=0.05, zero_point=3)
    m.op("GATHER_ND", [x, i], [y])
    return m.finish([x], [y])


@pytest.mark.parametrize("indices,x_shape,y_shape", [
    ([[1], [0], [1]], [2, 3, 4], [3, 3, 4]),  # whole planes
    ([[1, 2, 0, 1, 3]], [2, 3, 2, 2, 4], [1]),  # 5-D tuples
    ([[0, 4], [2, -1]], [3, 4], [2]),  # past the axis, before it: TFLM reads flat positions 4 and 7
])
def test_constant_indices(tmp_path, indices, x_shape, y_shape):
    assert_bit_exact(_constant(indices, x_shape, y_shape), tmp_path, count=4)


def _run_time(x_shape=(3, 4, 5), i_shape=(2, 2), y_shape=(2, 5)):
    m = SchemaModel()
    x = m.tensor(list(x_shape), scale=0.05, zero_point=3)
    i = m.tensor(list(i_shape), "int32")
    y = m.tensor(list(y_shape), scale=0.05, zero_point=3)
    m.op("GATHER_ND", [x, i], [y])
    return m.finish([x, i], [y])


def _run(tflite, tmp_path, inputs, target="host"):
    path = tmp_path / "rt.tflite"
    path.write_bytes(tflite)
    return emulate(path, inputs=inputs, backend="portable", target=target)


@pytest.mark.parametrize("target", ["host", "cortex-m4", "rv32imc"])
def test_run_time_indices(tmp_path, target):
    """An unquantized int32 model input read only as indices; indices past their axis read as TFLM reads them."""
    from tests.support.helpers import need_target

    need_target(target)
    rng = np.random.default_rng(0)
    n = 6
    x = rng.integers(-128, 128, (n, 3, 4, 5), dtype=np.int8)
    indices = np.stack([rng.integers(0, 3, (n, 2)), rng.integers(0, 4, (n, 2))], axis=-1).astype(np.int32)
    indices[0] = [[0, 7], [2, -1]]  # flat rows 7 and 9: inside the params
    result = _run(_run_time(), tmp_path, [x, indices], target)
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert np.array_equal(result.outputs[0].view(np.int8)[0], x[0].reshape(12, 5)[7])


def test_float32_params(tmp_path):
    """Float32 params (TFLM's float GatherNd copies the slices), run-time indices as a model input."""
    m = SchemaModel()
    x = m.tensor([3, 4, 5], "float32")
    i = m.tensor([6, 2], "int32")
    y = m.tensor([6, 5], "float32")
    m.op("GATHER_ND", [x, i], [y])
    rng = np.random.default_rng(3)
    params = rng.standard_normal((4, 3, 4, 5)).astype(np.float32)
    indices = np.stack([rng.integers(0, 3, (4, 6)), rng.integers(0, 4, (4, 6))], axis=-1).astype(np.int32)
    result = _run(m.finish([x, i], [y]), tmp_path, [params, indices])
    assert result.outputs.dtype == np.float32 and np.array_equal(result.outputs, result.expected), result.summary()


def test_constant_params_and_indices_fold(tmp_path):
    m = SchemaModel()
    x = m.tensor([1, 5], scale=0.05, zero_point=0)
    table = m.tensor([3, 5], scale=0.05, zero_point=0, data=np.arange(-7, 8, dtype=np.int8).reshape(3, 5))
    i = m.tensor([1, 1], "int32", data=np.array([[2]], np.int32))
    g = m.tensor([1, 5], scale=0.05, zero_point=0)
    m.op("GATHER_ND", [table, i], [g])
    y = m.tensor([1, 5], scale=0.1, zero_point=1)
    m.op("ADD", [x, g], [y])
    tflite = m.finish([x], [y])
    assert [layer.op.kind for layer in _program(tflite, tmp_path).layers] == ["ADD"]
    assert_bit_exact(tflite, tmp_path, count=4)


def test_refusals(tmp_path):
    with pytest.raises(TinygenError, match=r"GATHER_ND \(operator 0\): index \[2, 4\] \(tuple 1\) lies outside the "
                                           "params; TFLite Micro fails on it"):
        _program(_constant([[0, 1], [2, 4]], [3, 4], [2]), tmp_path)
    with pytest.raises(TinygenError, match=r"GATHER_ND \(operator 0\): index \[-1, 3\]"):
        _program(_constant([[-1, 3]], [3, 4], [1]), tmp_path)
    with pytest.raises(TinygenError, match=r"GATHER_ND \(operator 0\) gathers \[1, 2\] indices from \[3, 4\] into "
                                           r"\[2\]"):
        _program(_constant([[0, 1]], [3, 4], [2]), tmp_path)
    with pytest.raises(TinygenError, match=r"GATHER_ND \(operator \d+\) has int16 tensor"):
        _program(_tf_model(int16_tflite, [[0, 1]], (3, 4), 0), tmp_path)


def test_int32_input_read_elsewhere_is_still_refused(tmp_path):
    """The index input exemption holds only where every reader takes the tensor as indices."""
    m = SchemaModel()
    x = m.tensor([3, 4], scale=0.05, zero_point=3)
    i = m.tensor([2, 2], "int32")
    y = m.tensor([2], scale=0.05, zero_point=3)
    m.op("GATHER_ND", [x, i], [y])
    s = m.tensor([2], "int32")
    m.op("ARG_MAX", [i, m.tensor([], "int32", data=np.array(1, np.int32))], [s])
    with pytest.raises(TinygenError, match=r"model input 't1' is int32 \(not quantized\)"):
        _program(m.finish([x, i], [y, s]), tmp_path)


def test_run_time_index_outside_fails_as_in_tflm(tmp_path):
    """Past the params' end: TFLM's invoke fails, and so does the generated model's (the harness exits)."""
    from tinygen.oracle import reference_outputs

    tflite = _run_time()
    x = np.zeros((1, 3, 4, 5), np.int8)
    indices = np.zeros((1, 2, 2), np.int32)
    indices[0, 1] = [2, 4]  # flat row 12 of 12
    with pytest.raises(TinygenError, match="TensorFlow Lite Micro, the reference tinygen matches, cannot run"):
        reference_outputs(tflite, [x, indices])
    with pytest.raises(RuntimeError, match=r"generated program failed"):
        _run(tflite, tmp_path, [x, indices])
