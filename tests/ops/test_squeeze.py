"""SQUEEZE: listed, negative and implied axes; an alias between operators, a copy from input to output, folded on
a constant; refusals of what TFLM's Prepare rejects; bit-exact with TFLM."""
import pytest

from tests.support.helpers import assert_bit_exact
from tests.support.schema_model import shape_op_model

from tinygen.compiler import compile_model
from tinygen.errors import TinygenError

# (input shape, squeeze_dims, output shape)
CASES = [([1, 3, 1, 4], [2], [1, 3, 4]), ([1, 3, 1, 4], [-2, 0], [3, 4]), ([1, 3, 1, 4, 1], [], [3, 4]),
         ([2, 1, 5], None, [2, 5]), ([1, 1, 1, 1, 1, 7], [], [7])]


def _program(tflite, tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(tflite)
    return compile_model(path)


def _kinds(program):
    return [(layer.op.kind, layer.alias) for layer in program.layers]


@pytest.mark.parametrize("x_shape,dims,y_shape", CASES)
def test_between_operators_is_an_alias(tmp_path, x_shape, dims, y_shape):
    options = {} if dims is None else {"squeeze_dims": dims}
    tflite = shape_op_model("SQUEEZE", x_shape, y_shape, **options)
    assert _kinds(_program(tflite, tmp_path)) == [("RELU6", False), ("SQUEEZE", True), ("RELU6", False)]
    assert_bit_exact(tflite, tmp_path, count=6)


def test_input_to_output_is_a_copy(tmp_path):
    tflite = shape_op_model("SQUEEZE", [1, 3, 1, 4], [3, 4], placement="alone")
    (layer,) = _program(tflite, tmp_path).layers
    assert (layer.kernel, layer.alias) == ("memcpy", False)
    assert_bit_exact(tflite, tmp_path, count=6)


def test_squeeze_of_a_constant_folds(tmp_path):
    tflite = shape_op_model("SQUEEZE", [1, 3, 1, 4], [3, 4], placement="constant", squeeze_dims=[0, 2])
    assert _kinds(_program(tflite, tmp_path)) == [("ADD", False)]
    assert_bit_exact(tflite, tmp_path, count=6)


@pytest.mark.parametrize("x_shape,dims,y_shape,message", [
    ([1, 3, 4], [1], [1, 4], r"squeezes axes \[1\] of \[1, 3, 4\], not all of them size-1 axes"),
    ([1, 3, 4], [3], [3, 4], "not all of them size-1 axes"),
    ([1, 3, 1, 4], [0], [3, 4], r"squeezes \[1, 3, 1, 4\] into \[3, 4\], not \[3, 1, 4\]"),
    ([1] * 7, [], [], "has rank 7 — use tensors of rank 6 or less"),  # the verifier's limit
])
def test_refused(tmp_path, x_shape, dims, y_shape, message):
    with pytest.raises(TinygenError, match=message):
        _program(shape_op_model("SQUEEZE", x_shape, y_shape, squeeze_dims=dims), tmp_path)
