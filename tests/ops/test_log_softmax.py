"""LOG_SOFTMAX (int8): converted models, input scales far apart (the rescale's multiplier and shift at both ends,
diff_min cutting rows short), zero points at the ends of the range, long and one-value rows, bit-exact with
TFLM; refusals."""
import functools

import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, op_kinds
from tests.support.schema_model import SchemaModel
from tinygen.compiler import compile_model
from tinygen.errors import TinygenError


@functools.lru_cache(maxsize=None)
def _converted(seed: int, shape=(3, 10)) -> bytes:
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec((1, *shape), tf.float32)])
    def f(x):
        return tf.nn.log_softmax(x, axis=-1)

    return int8_tflite(f, shape, seed=seed)


def _model(shape, x_quant=(0.1, -5), y_quant=(16 / 256, 127)) -> bytes:
    m = SchemaModel()
    x = m.tensor(shape, scale=x_quant[0], zero_point=x_quant[1])
    y = m.tensor(shape, scale=y_quant[0], zero_point=y_quant[1])
    m.op("LOG_SOFTMAX", [x], [y])
    return m.finish([x], [y])




@pytest.mark.parametrize("seed,shape", [(0, (3, 10)), (1, (2, 3, 7)), (2, (100,))])
def test_converted(tmp_path, seed, shape):
    tflite = _converted(seed, shape)
    assert op_kinds(tflite, tmp_path) == ["LOG_SOFTMAX"]
    assert_bit_exact(tflite, tmp_path, count=8, seed=seed)


@pytest.mark.parametrize("scale", [1e-4, 0.003, 0.05, 0.2, 1.0, 7.5, 100.0])
@pytest.mark.parametrize("zero_point", [-128, 127])
def test_input_scales(tmp_path, scale, zero_point):
    """Random rows, and rows whose values sweep every int8 value (every difference to the maximum)."""
    rng = np.random.default_rng(int(scale * 1000) + zero_point + 128)
    inputs = rng.integers(-128, 128, (6, 4, 64)).astype(np.int8)
    inputs[0] = np.arange(-128, 128).reshape(4, 64)
    inputs[1, :, :] = rng.integers(-128, 128)  # constant rows: every difference 0
    assert_bit_exact(_model([4, 64], (scale, zero_point)), tmp_path, inputs=inputs)


@pytest.mark.parametrize("depth", [1, 2, 255, 4095])
def test_row_lengths(tmp_path, depth):
    assert_bit_exact(_model([2, depth]), tmp_path, count=4)


@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
def test_target(tmp_path, target):
    assert_bit_exact(_converted(0), tmp_path, count=4, target=target)


@pytest.mark.parametrize("tflite,message", [
    (lambda: _model([1, 8], y_quant=(0.1, 127)), "output scale 0.1, zero point 127"),
    (lambda: _model([1, 8], y_quant=(16 / 256, 0)), "zero point 0; TFLite Micro takes"),
    (lambda: _model([1, 4096]), "rows of 4096 values"),
])
def test_refused(tmp_path, tflite, message):
    path = tmp_path / "model.tflite"
    path.write_bytes(tflite())
    with pytest.raises(TinygenError, match=message):
        compile_model(path)
