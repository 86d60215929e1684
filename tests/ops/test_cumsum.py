"""CUMSUM (int8, constant axis): every axis with the exclusive and reverse options, zero points
at the ends of the range, scales far apart, rows long enough for TFLM's int32 sum to wrap, bit-exact with TFLM;
refusals."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite
from tests.support.schema_model import SchemaModel
from tinygen.compiler import compile_model
from tinygen.errors import TinygenError


def _model(shape, axis, x_quant=(0.05, -10), y_quant=(0.15, -30), axis_dtype="int32", **options) -> bytes:
    m = SchemaModel()
    x = m.tensor(shape, scale=x_quant[0], zero_point=x_quant[1])
    axis_data = np.atleast_1d(np.array(axis, dtype=axis_dtype))
    a = m.tensor([axis_data.size], dtype=axis_dtype, data=axis_data)
    y = m.tensor(shape, scale=y_quant[0], zero_point=y_quant[1])
    m.op("CUMSUM", [x, a], [y], **options)
    return m.finish([x], [y])




def test_converter_keeps_cumsum_float(tmp_path):
    """TensorFlow's int8 converter leaves tf.math.cumsum in float32 between a DEQUANTIZE and a QUANTIZE (TFLite
    has no int8 CUMSUM): refused as a float operator, the int8 form is reached with schema-built models."""
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec((1, 4, 6), tf.float32)])
    def f(x):
        return tf.math.cumsum(x, axis=1, exclusive=True, reverse=True)

    path = tmp_path / "model.tflite"
    path.write_bytes(int8_tflite(f, (4, 6)))
    with pytest.raises(TinygenError, match=r"CUMSUM \(operator 1\) computes in float32"):
        compile_model(path)


@pytest.mark.parametrize("axis", [0, 1, 2, 3, -3])
@pytest.mark.parametrize("exclusive,reverse", [(False, False), (True, False), (False, True), (True, True)])
def test_axes_and_options(tmp_path, axis, exclusive, reverse):
    assert_bit_exact(_model([2, 3, 4, 5], axis, exclusive=exclusive, reverse=reverse), tmp_path, count=4)


# input, output (scale, zero point): zero points at both ends (TFLM's sum starts from minus the input's), output
# scales far above and below the input's
@pytest.mark.parametrize("x_quant,y_quant", [((0.05, -128), (0.05, 127)), ((0.05, 127), (0.05, -128)),
                                             ((1e-3, 0), (5.0, 0)), ((2.0, 50), (1e-4, -100)),
                                             ((0.1, 0), (0.1 * 2**18, 0))])
def test_quantization(tmp_path, x_quant, y_quant):
    assert_bit_exact(_model([3, 8, 4], 1, x_quant, y_quant, exclusive=True), tmp_path)


@pytest.mark.parametrize("zero_point,fill", [(-128, 127), (127, -128), (0, 127)])
def test_long_rows_wrap_as_tflm(tmp_path, zero_point, fill):
    """Rows of 400 extreme values: the int32 sum passes 2^31, where TFLM's wraps."""
    inputs = np.random.default_rng(zero_point + 128).integers(-128, 128, (3, 2, 400)).astype(np.int8)
    inputs[0] = fill
    assert_bit_exact(_model([2, 400], 1, (0.5, zero_point), (0.01, 0)), tmp_path, inputs=inputs)


@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
def test_target(tmp_path, target):
    assert_bit_exact(_model([2, 30, 3], 1, (0.5, -128), (0.05, 3), exclusive=True), tmp_path, count=4,
                     target=target)


@pytest.mark.parametrize("tflite,message", [
    (lambda: _model([2, 4], 2), "axis 2 of a rank-2 tensor"),
    (lambda: _model([2, 4], [0, 1]), "has 2 axes"),
    (lambda: _model([2, 4], 1, axis_dtype="int64"), "int32 axes"),
    (lambda: _model([2, 4], 1, (1.0, 0), (1e-6, 0)), "outside \\(0, 1\\)"),
])
def test_refused(tmp_path, tflite, message):
    path = tmp_path / "model.tflite"
    path.write_bytes(tflite())
    with pytest.raises(TinygenError, match=message):
        compile_model(path)
