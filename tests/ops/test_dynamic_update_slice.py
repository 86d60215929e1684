"""DYNAMIC_UPDATE_SLICE (int8, int16): hand-built models (TensorFlow's converter emits it only from XLA's
dynamic_update_slice) with constant int32/int64 and run-time int32 start indices (a model input: any value,
clamped as TFLM clamps it), ranks 1 to 6, in place over the operand, bit-exact with TFLM; refusals name the
operator."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.errors import TinygenError


def _program(tflite, tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(tflite)
    return compile_model(path)


def _dus(x_shape, u_shape, start=None, dtype="int8", start_dtype="int32", relu=None, u_zero_point=0):
    """x (through a RELU, int8 only, so the update may run in place) updated by the model input u at `start`
    (None: a third model input)."""
    m = SchemaModel()
    x = m.tensor(x_shape, dtype, scale=0.05)
    u = m.tensor(u_shape, dtype, scale=0.05, zero_point=u_zero_point)
    operand = x
    if relu if relu is not None else dtype == "int8":
        operand = m.tensor(x_shape, dtype, scale=0.05)
        m.op("RELU", [x], [operand])
    s = m.tensor([len(x_shape)], start_dtype, data=None if start is None else np.array(start, start_dtype))
    y = m.tensor(x_shape, dtype, scale=0.05)
    m.op("DYNAMIC_UPDATE_SLICE", [operand, u, s], [y])
    return m.finish([x, u] + ([s] if start is None else []), [y])


@pytest.mark.parametrize("x_shape,u_shape,start,dtype", [
    ([7], [3], [2], "int8"),
    ([2, 4, 5], [1, 2, 3], [1, -3, 9], "int8"),  # clamped below and above
    ([3, 4, 6], [3, 4, 6], [1, 1, 1], "int16"),  # the whole operand
    ([2, 3, 2, 3, 2, 4], [1, 2, 1, 2, 2, 3], [1, 0, 1, 1, 0, 1], "int16"),  # rank 6
])
def test_constant_start(tmp_path, x_shape, u_shape, start, dtype):
    assert_bit_exact(_dus(x_shape, u_shape, start, dtype), tmp_path, count=4)


def test_int64_start_and_operand_as_model_input(tmp_path):
    """The user's input buffer is never overwritten: the operand is copied first."""
    tflite = _dus([4, 6], [2, 2], [3, 2], start_dtype="int64", relu=False)
    layer = _program(tflite, tmp_path).layers[0]
    assert layer.applied_inplace is None
    assert_bit_exact(tflite, tmp_path, count=4)


def test_in_place(tmp_path):
    """Between two RELUs the output takes the operand's buffer: only the update is written."""
    m = SchemaModel()
    x = m.tensor([2, 4, 5], scale=0.05)
    h = m.tensor([2, 4, 5], scale=0.05)
    m.op("RELU", [x], [h])
    u = m.tensor([1, 2, 3], scale=0.05, data=np.arange(-3, 3, dtype=np.int8).reshape(1, 2, 3))
    s = m.tensor([3], "int32", data=np.array([1, 1, 1], np.int32))
    d = m.tensor([2, 4, 5], scale=0.05)
    m.op("DYNAMIC_UPDATE_SLICE", [h, u, s], [d])
    y = m.tensor([2, 4, 5], scale=0.05)
    m.op("RELU6", [d], [y])
    tflite = m.finish([x], [y])
    layer = _program(tflite, tmp_path).layers[1]
    assert layer.op.kind == "DYNAMIC_UPDATE_SLICE" and layer.applied_inplace is not None
    assert_bit_exact(tflite, tmp_path, count=4)


@pytest.mark.parametrize("dtype", ["int8", "int16"])
def test_run_time_start(tmp_path, dtype):
    """Random int32 starts (mostly far outside the operand) clamp like TFLM's."""
    assert_bit_exact(_dus([3, 5, 4], [2, 2, 3], None, dtype), tmp_path, count=8)


def test_run_time_start_in_range(tmp_path):
    from tinygen.emulation import emulate

    path = tmp_path / "rt.tflite"
    path.write_bytes(_dus([3, 5, 4], [2, 2, 3], None))
    rng = np.random.default_rng(2)
    n = 8
    inputs = [rng.integers(-128, 128, (n, 3, 5, 4), dtype=np.int8), rng.integers(-128, 128, (n, 2, 2, 3),
                                                                                  dtype=np.int8),
              rng.integers(-1, 5, (n, 3)).astype(np.int32)]
    result = emulate(path, inputs=inputs, backend="portable")
    assert np.array_equal(result.outputs, result.expected), result.summary()


def test_cortex_m4(tmp_path):
    assert_bit_exact(_dus([2, 4, 5], [1, 2, 3], None, "int16"), tmp_path, count=3, target="cortex-m4")


def test_constant_update_folds(tmp_path):
    m = SchemaModel()
    x = m.tensor([2, 3], scale=0.05)
    base = m.tensor([2, 3], scale=0.05, data=np.arange(6, dtype=np.int8).reshape(2, 3))
    u = m.tensor([1, 2], scale=0.05, data=np.array([[-50, 60]], np.int8))
    s = m.tensor([2], "int32", data=np.array([1, 5], np.int32))
    d = m.tensor([2, 3], scale=0.05)
    m.op("DYNAMIC_UPDATE_SLICE", [base, u, s], [d])
    y = m.tensor([2, 3], scale=0.1, zero_point=1)
    m.op("ADD", [x, d], [y])
    tflite = m.finish([x], [y])
    assert [layer.op.kind for layer in _program(tflite, tmp_path).layers] == ["ADD"]
    assert_bit_exact(tflite, tmp_path, count=4)


def test_refusals(tmp_path):
    with pytest.raises(TinygenError, match=r"DYNAMIC_UPDATE_SLICE \(operator 1\) writes a \[2, 6\] update into a "
                                           r"\[4, 5\] operand"):
        _program(_dus([4, 5], [2, 6], [0, 0]), tmp_path)
    with pytest.raises(TinygenError, match=r"DYNAMIC_UPDATE_SLICE \(operator 1\) reads 't1' .* quantized unlike"):
        _program(_dus([4, 5], [2, 2], [0, 0], u_zero_point=3), tmp_path)
    with pytest.raises(TinygenError, match=r"DYNAMIC_UPDATE_SLICE \(operator 0\) has int16 start indices"):
        _program(_dus([4, 5], [2, 2], [0, 0], dtype="int16", start_dtype="int16"), tmp_path)
