"""ZEROS_LIKE (int8, int32, float32): folded from the input's shape where it feeds another operator, a memset of the byte 0 (not
the zero point) where it is a model output, bit-exact with TFLM; int16, which TFLM's kernel does not take, is
refused. (TensorFlow's converter folds tf.zeros_like itself: the models are hand-built.)"""
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


def _zeros(dtype="int8", add=False):
    m = SchemaModel()
    x = m.tensor([2, 3, 4], dtype, scale=0.05, zero_point=-9 if dtype == "int8" else 0)
    z = m.tensor([2, 3, 4], dtype, scale=0.05, zero_point=-9 if dtype == "int8" else 0)
    m.op("ZEROS_LIKE", [x], [z])
    if not add:
        return m.finish([x], [z])
    y = m.tensor([2, 3, 4], dtype, scale=0.1, zero_point=3 if dtype == "int8" else 0)
    m.op("ADD", [x, z], [y])
    return m.finish([x], [y])


def test_model_output_is_zero_bytes(tmp_path):
    tflite = _zeros()
    assert [layer.kernel for layer in _program(tflite, tmp_path).layers] == ["memset"]
    result = assert_bit_exact(tflite, tmp_path, count=3)
    assert not result.outputs.any()


def test_zeros_feeding_an_operator_fold(tmp_path):
    """x + zeros_like(x): the zeros are a constant of the ADD, so the ADD only rescales x."""
    tflite = _zeros(add=True)
    assert [layer.op.kind for layer in _program(tflite, tmp_path).layers] == ["ADD"]
    assert_bit_exact(tflite, tmp_path, count=4)


@pytest.mark.parametrize("dtype", ["int32", "float32"])
def test_other_types(tmp_path, dtype):
    """TFLM's int32 and float32 zeros: all-zero bytes (0, +0.0f) as a model output."""
    m = SchemaModel()
    x = m.tensor([2, 3, 4], dtype, **({"scale": 1.0} if dtype == "int32" else {}))  # a model input is quantized
    z = m.tensor([2, 3, 4], dtype)
    m.op("ZEROS_LIKE", [x], [z])
    tflite = m.finish([x], [z])
    assert [layer.kernel for layer in _program(tflite, tmp_path).layers] == ["memset"]
    result = assert_bit_exact(tflite, tmp_path, count=2)
    assert result.outputs.dtype == np.dtype(dtype) and not result.outputs.view(np.uint8).any()


def test_cortex_m4(tmp_path):
    assert_bit_exact(_zeros(), tmp_path, count=2, target="cortex-m4")


@pytest.mark.parametrize("add", [False, True])
def test_int16_refused(tmp_path, add):
    with pytest.raises(TinygenError, match=r"ZEROS_LIKE \(operator 0\) has a int16 input; TFLite Micro's kernel "
                                           "takes int8, int32, int64, float32"):
        _program(_zeros("int16", add), tmp_path)

