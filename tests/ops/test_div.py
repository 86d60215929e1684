"""DIV (int8; float32 too): every pair of int8 operands (zero divisors included) under quantizations far apart and
zero points at the ends of the range, converted models with broadcasting, fused activations, bit-exact with
TFLM; refusals."""
import functools

import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, op_kinds, random_constant, with_activation
from tests.support.schema_model import SchemaModel
from tinygen.compiler import compile_model
from tinygen.emulation import emulate
from tinygen.errors import TinygenError

VALUES = np.arange(-128, 128, dtype=np.int8)


def _pairs_model(qa, qb, qy, activation: int = 0, dtype: str = "int8") -> bytes:
    """[256, 1] / [1, 256] → [256, 256]: fed every int8 value on each side, every pair of operands."""
    m = SchemaModel()
    a = m.tensor([256, 1], dtype=dtype, scale=qa[0], zero_point=qa[1])
    b = m.tensor([1, 256], dtype=dtype, scale=qb[0], zero_point=qb[1])
    y = m.tensor([256, 256], dtype=dtype, scale=qy[0], zero_point=qy[1])
    m.op("DIV", [a, b], [y], fused_activation_function=activation)
    return m.finish([a, b], [y])


def _assert_every_pair(tflite: bytes, tmp_path):
    path = tmp_path / "model.tflite"
    path.write_bytes(tflite)
    result = emulate(path, inputs=[VALUES.reshape(1, 256, 1), VALUES.reshape(1, 1, 256)], backend="portable")
    assert np.array_equal(result.outputs, result.expected), result.summary()


# (a, b, output) (scale, zero point): equal, converter-like, scales far apart both ways (tiny quotients reach
# TFLM's right shifts of 32 and more), zero points at both ends
QUANTS = [((0.05, 0), (0.05, 0), (0.05, 0)), ((0.1, -5), (0.03, 10), (0.08, -20)),
          ((0.01, 127), (1.0, -128), (1e-3, 3)), ((1.0, -128), (0.01, 127), (50.0, 0)),
          ((1e-4, 0), (1.0, 0), (1.0, 0)), ((2.0, 127), (1e-3, -128), (1e3, 127)),
          ((1e-5, -128), (3.0, 127), (1e-7, -128))]


@pytest.mark.parametrize("qa,qb,qy", QUANTS)
def test_every_pair(tmp_path, qa, qb, qy):
    _assert_every_pair(_pairs_model(qa, qb, qy), tmp_path)


@pytest.mark.parametrize("activation", [1, 2, 3])
def test_fused_activation(tmp_path, activation):
    _assert_every_pair(_pairs_model((0.05, 3), (0.04, -2), (0.02, -10), activation), tmp_path)


# name: (input shape without batch, constant shape or None for relu(x) + 1, constant first: the converter turns
# x / constant into a MUL)
CASES = {
    "same_shape": ((4, 4, 3), None, False),
    "const_channels": ((4, 4, 3), (1, 1, 1, 3), True),
    "const_first_rank3": ((3, 7), (7,), True),
    "both_broadcast": ((1, 5, 3), (1, 4, 1, 3), True),
}


@functools.lru_cache(maxsize=None)
def _converted(name: str, seed: int) -> bytes:
    import tensorflow as tf

    shape, const_shape, first = CASES[name]
    const = None if const_shape is None else tf.constant(random_constant(const_shape, seed))

    @tf.function(input_signature=[tf.TensorSpec((1, *shape), tf.float32)])
    def f(x):
        other = tf.nn.relu(x) + 1.0 if const is None else const
        return tf.math.divide(other, x) if first else tf.math.divide(x, other)

    return int8_tflite(f, shape, seed=seed)


@pytest.mark.parametrize("name", list(CASES))
def test_converted(tmp_path, name):
    tflite = _converted(name, list(CASES).index(name) + 60)
    assert "DIV" in op_kinds(tflite, tmp_path)
    assert_bit_exact(tflite, tmp_path, count=6)


def test_converted_with_activation(tmp_path):
    assert_bit_exact(with_activation(_converted("same_shape", 60), 1), tmp_path, count=6)


@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
def test_target(tmp_path, target):
    assert_bit_exact(_converted("const_channels", 61), tmp_path, count=4, target=target)


@pytest.mark.parametrize("tflite,message", [
    (lambda: _pairs_model((1.0, 0), (1e-4, 0), (1e-4, 0)), r"rescales by 1e\+08 \(shift 27\)"),
    (lambda: _pairs_model((0.1, 0), (0.1, 0), (0.1, 0), dtype="int16"), "int16 tensor"),
])
def test_refused(tmp_path, tflite, message):
    path = tmp_path / "model.tflite"
    path.write_bytes(tflite())
    with pytest.raises(TinygenError, match=message):
        compile_model(path)


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32(tmp_path, target):
    """TFLite's reference float Div: the quotient (and with a fused RELU, its clamp), operands broadcast."""
    import tensorflow as tf

    from tests.support.helpers import assert_float_function_exact

    assert_float_function_exact(lambda a, b: tf.nn.relu(a / (tf.abs(b) + 0.5)) + a / 3.0, [[1, 4, 6], [1, 1, 6]],
                                tmp_path, ["DIV"], target)
