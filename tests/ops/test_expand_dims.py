"""EXPAND_DIMS: axes first, last and negative, a scalar or one-element axis; an alias between operators, a copy
from input to output, folded on a constant; refusals of what TFLM's Prepare rejects; bit-exact with TFLM."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact
from tests.support.schema_model import shape_op_model

from tinygen.compiler import compile_model
from tinygen.errors import TinygenError

# (input shape, axis tensor, output shape)
CASES = [([3, 4], 0, [1, 3, 4]), ([3, 4], [2], [3, 4, 1]), ([3, 4], -1, [3, 4, 1]), ([3, 4], [-3], [1, 3, 4]),
         ([2, 3, 4], 1, [2, 1, 3, 4])]


def _program(tflite, tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(tflite)
    return compile_model(path)


@pytest.mark.parametrize("x_shape,axis,y_shape", CASES)
def test_between_operators_is_an_alias(tmp_path, x_shape, axis, y_shape):
    tflite = shape_op_model("EXPAND_DIMS", x_shape, y_shape, [axis])
    assert [(la.op.kind, la.alias) for la in _program(tflite, tmp_path).layers] == [
        ("RELU6", False), ("EXPAND_DIMS", True), ("RELU6", False)]
    assert_bit_exact(tflite, tmp_path, count=6)


def test_input_to_output_is_a_copy(tmp_path):
    tflite = shape_op_model("EXPAND_DIMS", [3, 4], [3, 1, 4], [1], placement="alone")
    (layer,) = _program(tflite, tmp_path).layers
    assert (layer.kernel, layer.alias) == ("memcpy", False)
    assert_bit_exact(tflite, tmp_path, count=6)


def test_expand_dims_of_a_constant_folds(tmp_path):
    tflite = shape_op_model("EXPAND_DIMS", [3, 4], [3, 4, 1], [-1], placement="constant")
    assert [layer.op.kind for layer in _program(tflite, tmp_path).layers] == ["ADD"]
    assert_bit_exact(tflite, tmp_path, count=6)


@pytest.mark.parametrize("axis,y_shape,message", [
    (3, [3, 4, 1, 1], r"expands \[3, 4\] at axis 3 into \[3, 4, 1, 1\]"),
    (-4, [1, 3, 4], r"expands \[3, 4\] at axis -4"),
    (0, [3, 1, 4], r"expands \[3, 4\] at axis 0 into \[3, 1, 4\]"),
    (np.array([0, 1]), [1, 3, 4], r"needs one constant int32 axis \(has int32 \[2\]\)"),
])
def test_refused(tmp_path, axis, y_shape, message):
    with pytest.raises(TinygenError, match=message):
        _program(shape_op_model("EXPAND_DIMS", [3, 4], y_shape, [axis]), tmp_path)
