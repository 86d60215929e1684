"""ADD_N (int8, float32): 2 to 15 inputs (data, its transforms and constants), random quantization, bit-exact with
TFLM; an input with other quantization is refused as TFLM refuses it."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.errors import TinygenError


def _model(count, shape, seed, other_scale=None):
    rng = np.random.default_rng(seed)
    scale, zp = float(rng.uniform(0.01, 0.1)), int(rng.integers(-20, 20))
    m = SchemaModel("add_n")
    x = m.tensor(shape, scale=scale, zero_point=zp)
    inputs = [x]
    for i in range(count - 1):
        if i % 2:
            inputs.append(m.tensor(shape, scale=scale, zero_point=zp,
                                   data=rng.integers(-128, 128, shape).astype(np.int8)))
        else:
            r = m.tensor(shape, scale=other_scale or scale, zero_point=zp)
            m.op("RELU", [x], [r])
            inputs.append(r)
    y = m.tensor(shape, scale=float(rng.uniform(0.05, 0.5)), zero_point=int(rng.integers(-20, 20)))
    m.op("ADD_N", inputs, [y])
    return m.finish([x], [y])


@pytest.mark.parametrize("count,shape", [(2, [1, 7]), (3, [2, 3, 4]), (5, [1, 4, 4, 3]), (15, [9])])
def test_add_n(tmp_path, count, shape):
    assert_bit_exact(_model(count, shape, seed=count), tmp_path, count=8)


def test_other_quantization_is_refused(tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(_model(3, [4], seed=1, other_scale=0.5))
    with pytest.raises(TinygenError, match=r"ADD_N \(operator 1\) adds inputs of different shapes or quantization"):
        compile_model(path)


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32(tmp_path, target):
    """TFLM's AddN<float>: each sum from 0.0f in the inputs' order (tf.math.add_n of the input, a transform of
    it and a constant)."""
    import tensorflow as tf

    from tests.support.helpers import assert_float_function_exact

    constant = tf.constant(np.random.default_rng(1).standard_normal((1, 3, 8)).astype(np.float32))
    assert_float_function_exact(lambda x: tf.math.add_n([x, tf.nn.relu(x) * 3.0, constant]), [[1, 3, 8]],
                                tmp_path, ["ADD_N"], target)
