"""L2_NORMALIZATION (int8): converted models, every input value and zero points at the ends of the range, rows
of one value (sums of squares 0 and 1, GetInvSqrtQuantizedMultiplierExp's special case) and long rows,
bit-exact with TFLM; refusals."""
import functools

import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, op_kinds
from tests.support.schema_model import SchemaModel
from tinygen.compiler import compile_model
from tinygen.errors import TinygenError


@functools.lru_cache(maxsize=None)
def _converted(seed: int, shape=(3, 16)) -> bytes:
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec((1, *shape), tf.float32)])
    def f(x):
        return tf.math.l2_normalize(x, axis=-1)

    return int8_tflite(f, shape, seed=seed)


def _model(shape, x_quant=(0.05, -7), y_quant=(1 / 128, 0), dtype="int8", **options) -> bytes:
    m = SchemaModel()
    x = m.tensor(shape, dtype=dtype, scale=x_quant[0], zero_point=x_quant[1])
    y = m.tensor(shape, dtype=dtype, scale=y_quant[0], zero_point=y_quant[1])
    m.op("L2_NORMALIZATION", [x], [y], **options)
    return m.finish([x], [y])




@pytest.mark.parametrize("seed,shape", [(0, (3, 16)), (1, (2, 3, 5)), (2, (40,))])
def test_converted(tmp_path, seed, shape):
    tflite = _converted(seed, shape)
    assert op_kinds(tflite, tmp_path) == ["L2_NORMALIZATION"]
    assert_bit_exact(tflite, tmp_path, count=8, seed=seed)


@pytest.mark.parametrize("zero_point", [-128, -7, 0, 127])
def test_single_values(tmp_path, zero_point):
    """Rows of one value: every int8 value, so every difference from the zero point (0 and ±1 included)."""
    inputs = np.arange(-128, 128, dtype=np.int8).reshape(1, 256, 1)
    assert_bit_exact(_model([256, 1], (0.05, zero_point)), tmp_path, inputs=inputs)


@pytest.mark.parametrize("zero_point,depth", [(-128, 2), (127, 3), (5, 7), (-128, 1000), (127, 4096)])
def test_rows(tmp_path, zero_point, depth):
    """Random rows, a quarter of them at the zero point but one value (small sums of squares)."""
    rng = np.random.default_rng(depth)
    inputs = rng.integers(-128, 128, (6, 4, depth)).astype(np.int8)
    inputs[:, 0] = zero_point
    inputs[:, 0, 0] = np.clip(zero_point + rng.integers(-2, 3, 6), -128, 127)
    assert_bit_exact(_model([4, depth], (0.05, zero_point)), tmp_path, inputs=inputs)


def test_output_quantization_is_ignored(tmp_path):
    """TFLM computes in 1/128 whatever the output tensor says; so does tinygen."""
    assert_bit_exact(_model([1, 4, 8], (0.3, 20), (0.5, 100)), tmp_path)


@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
def test_target(tmp_path, target):
    assert_bit_exact(_converted(0), tmp_path, count=4, target=target)


@pytest.mark.parametrize("tflite,message", [
    (lambda: _model([1, 8], fused_activation_function=1), "has a fused activation"),
    (lambda: _model([1, 1, 1, 1, 8]), "rank-5 input"),
    (lambda: _model([1, 40000]), "rows of 40000 values"),
    (lambda: _model([1, 8], (0.01, 0), (0.01, 0), dtype="int16"), "int16 tensor"),
])
def test_refused(tmp_path, tflite, message):
    path = tmp_path / "model.tflite"
    path.write_bytes(tflite())
    with pytest.raises(TinygenError, match=message):
        compile_model(path)
