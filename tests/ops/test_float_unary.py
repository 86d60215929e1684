"""CEIL, FLOOR, ROUND, SIN, COS, EXP, LOG, SQRT, SQUARE (float32), as TensorFlow's converter emits them for a float
model: every output bit equal to TFLM's, over random values, exact ties (ROUND is half to even), signed zeros,
infinities, values outside a function's domain (NaN results compared by their bits) and huge magnitudes."""
import functools

import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, float_tflite, need_target, op_kinds

FUNCTIONS = {"CEIL": "ceil", "FLOOR": "floor", "ROUND": "round", "SIN": "sin", "COS": "cos", "EXP": "exp",
             "LOG": "log", "SQRT": "sqrt", "SQUARE": "square"}
SIZE = 64


@functools.lru_cache(maxsize=None)
def _model(kind: str) -> bytes:
    import tensorflow as tf

    function = getattr(tf.math, FUNCTIONS[kind])
    return float_tflite(tf.function(lambda x: function(x), input_signature=[tf.TensorSpec([1, SIZE], tf.float32)]))


def _edge_values() -> np.ndarray:
    """Ties and near-ties for ROUND, signed zeros, infinities, NaN, subnormals, negatives (NaN from LOG and
    SQRT), large values (EXP overflows, SIN/COS reduce a huge argument) and integers around 2^23."""
    ties = np.arange(-8, 8, dtype=np.float32) + np.float32(0.5)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1.1754942e-38, 88.7, 89.0, -104.0,
                        1e30, -1e30, 8388607.5, 8388608.0, -8388609.0, 0.49999997, -0.49999997, 2.5, -2.5,
                        np.nextafter(np.float32(0.5), np.float32(1)), 3.1415927, -1.5707964, 1e-8,
                        6.2831855, 100.0, -7.0, 0.999999940], np.float32)
    values = np.concatenate([ties, special])
    return np.concatenate([values, np.linspace(-3, 3, SIZE - len(values), dtype=np.float32)]).reshape(1, 1, SIZE)


def _emulate(tflite: bytes, tmp_path, inputs: np.ndarray, target: str = "host"):
    from tinygen.emulation import emulate

    need_target(target)
    path = tmp_path / "model.tflite"
    path.write_bytes(tflite)
    return emulate(path, inputs=inputs, target=target, backend="portable")


@pytest.mark.parametrize("kind", FUNCTIONS)
def test_random_values(tmp_path, kind):
    tflite = _model(kind)
    assert op_kinds(tflite, tmp_path) == [kind]
    scale = np.float32(4.0)
    inputs = (np.random.default_rng(len(kind)).standard_normal((20, 1, SIZE)) * scale).astype(np.float32)
    if kind in ("LOG", "SQRT"):
        inputs = np.abs(inputs)
    result = _emulate(tflite, tmp_path, inputs)
    assert np.array_equal(result.outputs, result.expected), result.summary()


@pytest.mark.parametrize("kind", FUNCTIONS)
def test_edge_values_bit_for_bit(tmp_path, kind):
    """NaN never equals NaN: the outputs' bit patterns are compared (the sign and payload TFLM produces too)."""
    result = _emulate(_model(kind), tmp_path, _edge_values())
    assert np.array_equal(result.outputs.view(np.uint32), result.expected.view(np.uint32)), result.summary()
    if kind == "ROUND":  # half to even, as TFLM's RoundToNearest; C's roundf would give 1, 3, -3 here
        ties = result.outputs.reshape(-1)[8:11]
        assert list(ties) == [0.0, 2.0, 2.0]


@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
def test_exact_functions_on_targets(tmp_path, target):
    """CEIL, FLOOR, ROUND, SQRT and SQUARE are exact in IEEE arithmetic: bit-exact on every target's C library
    (SIN, COS, EXP and LOG may differ from the host's libm in the last bit)."""
    for kind in ("CEIL", "FLOOR", "ROUND", "SQRT", "SQUARE"):
        result = _emulate(_model(kind), tmp_path, np.abs(_edge_values()) if kind == "SQRT" else _edge_values(),
                          target)
        assert np.array_equal(result.outputs.view(np.uint32), result.expected.view(np.uint32)), \
            f"{kind}: {result.summary()}"


def test_chain_after_fully_connected(tmp_path):
    """A float Dense layer feeding the functions: intermediate float tensors in the arena, in place."""
    import tensorflow as tf

    from tests.support.helpers import keras_model

    model = keras_model(lambda x: tf.keras.ops.floor(tf.keras.ops.exp(tf.keras.ops.sin(tf.keras.layers.Dense(12)(x)))),
                        (10,), seed=4)
    tflite = float_tflite(model)
    assert {"FULLY_CONNECTED", "SIN", "EXP", "FLOOR"} <= set(op_kinds(tflite, tmp_path))
    assert_bit_exact(tflite, tmp_path, count=20, seed=2)
