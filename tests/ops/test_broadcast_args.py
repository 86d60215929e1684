"""BROADCAST_ARGS of constant shapes folds at compile time (into a RESHAPE's target shape here; TFLM's
BROADCAST_TO takes only a constant shape): the generated model is bit-exact with TFLM, which computes the shape
at run time; shapes that do not broadcast are refused."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact
from tests.support.schema_model import SchemaModel


def _model(shape_a, shape_b, out_shape) -> bytes:
    m = SchemaModel()
    x = m.tensor([int(np.prod(out_shape))], scale=0.05, zero_point=3)
    a = m.tensor([len(shape_a)], "int32", data=np.array(shape_a, np.int32))
    b = m.tensor([len(shape_b)], "int32", data=np.array(shape_b, np.int32))
    s = m.tensor([len(out_shape)], "int32")
    m.op("BROADCAST_ARGS", [a, b], [s])
    y = m.tensor(out_shape, scale=0.05, zero_point=3)
    m.op("RESHAPE", [x, s], [y])
    return m.finish([x], [y])


@pytest.mark.parametrize("shape_a,shape_b,out_shape", [([1, 4, 1], [3, 1, 5], [3, 4, 5]),
                                                       ([2, 1], [6, 1, 3], [6, 2, 3])])
def test_folds_into_a_reshape(tmp_path, shape_a, shape_b, out_shape):
    from tinygen.compiler import compile_model

    tflite = _model(shape_a, shape_b, out_shape)
    assert_bit_exact(tflite, tmp_path, count=4)
    program = compile_model(tmp_path / "model.tflite")
    assert [layer.op.kind for layer in program.layers] == ["RESHAPE"]


def test_shapes_that_do_not_broadcast_are_refused(tmp_path):
    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    path = tmp_path / "model.tflite"
    path.write_bytes(_model([1, 4], [3, 5], [3, 4]))
    with pytest.raises(TinygenError, match="BROADCAST_ARGS"):
        compile_model(path)
