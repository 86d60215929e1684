"""RSQRT, L2_NORMALIZATION, LOG_SOFTMAX, DIV and CUMSUM in place: between two ABS, each reads a tensor that dies
there, so the memory plan puts its output over it; still bit-exact with TFLM."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact
from tests.support.schema_model import SchemaModel
from tinygen.codegen import pointer
from tinygen.compiler import compile_model

DIMS = [1, 3, 4, 6]
# kind: (output (scale, zero point), options)
OPS = {"RSQRT": ((0.02, -128), {}), "L2_NORMALIZATION": ((1 / 128, 0), {}),
       "LOG_SOFTMAX": ((16 / 256, 127), {}), "DIV": ((0.1, -20), {}), "CUMSUM": ((0.2, -30), {"exclusive": True})}


def _model(kind: str) -> bytes:
    """x → ABS → kind → ABS → y (DIV: |x| / x; CUMSUM along the last axis)."""
    (scale, zero_point), options = OPS[kind]
    m = SchemaModel()
    x = m.tensor(DIMS, scale=0.05, zero_point=-6)
    h = m.tensor(DIMS, scale=0.04, zero_point=-128)
    m.op("ABS", [x], [h])
    operands = {"DIV": [h, x], "CUMSUM": [h, m.tensor([1], dtype="int32", data=np.array([-1], np.int32))]}
    g = m.tensor(DIMS, scale=scale, zero_point=zero_point)
    m.op(kind, operands.get(kind, [h]), [g], **options)
    y = m.tensor(DIMS, scale=0.03, zero_point=-128)
    m.op("ABS", [g], [y])
    return m.finish([x], [y])


@pytest.mark.parametrize("kind", list(OPS))
def test_in_place(tmp_path, kind):
    tflite = _model(kind)
    path = tmp_path / "model.tflite"
    path.write_bytes(tflite)
    program = compile_model(path)
    (layer,) = [layer for layer in program.layers if layer.op.kind == kind]
    assert layer.applied_inplace is not None, layer.summary
    assert pointer(program, layer.inputs[layer.applied_inplace.input]) == pointer(program, layer.outputs[0])
    assert_bit_exact(tflite, tmp_path, count=8)
