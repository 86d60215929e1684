"""FLOOR_DIV and FLOOR_MOD (float32, as TFLM runs them): TensorFlow's conversion of tf.math.floordiv / floormod,
two inputs and broadcast constants, signs and special values bit for bit; a zero divisor fails FLOOR_DIV's invoke
as it fails TFLM's, and a constant one is refused."""
import numpy as np
import pytest

from tests.support.helpers import assert_float_function_exact, float_tflite, need_target, op_kinds

SPECIAL = np.array([0.0, -0.0, 7.0, -7.0, 2.5, -2.5, np.inf, -np.inf, 1e-30, 1e30, 0.3, -0.3], np.float32)


def _two_input_model(kind: str) -> bytes:
    import tensorflow as tf

    function = tf.math.floordiv if kind == "FLOOR_DIV" else tf.math.floormod
    specs = [tf.TensorSpec([1, 12], tf.float32)] * 2
    return float_tflite(tf.function(lambda a, b: function(a, b), input_signature=specs))


@pytest.mark.parametrize("kind", ["FLOOR_DIV", "FLOOR_MOD"])
@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_signs_and_special_values(tmp_path, kind, target):
    from tinygen.emulation import emulate

    need_target(target)
    tflite = _two_input_model(kind)
    assert op_kinds(tflite, tmp_path) == [kind]
    path = tmp_path / "model.tflite"
    path.write_bytes(tflite)
    divisors = np.array([1.5, -1.5, 2.0, -2.0, 0.7, -0.7, 3.0, -3.0, 1e-3, -1e30, np.inf, 0.1], np.float32)
    rng = np.random.default_rng(3)
    a = np.stack([SPECIAL, (rng.standard_normal(12) * 20).astype(np.float32)])[:, None, :]
    b = np.stack([divisors, (rng.standard_normal(12) * 3 + 0.1).astype(np.float32)])[:, None, :]
    if target != "host":  # fmodf(inf, b) is a NaN whose sign bit is the C library's (glibc's sets it)
        a[np.isinf(a)] = 1e30
    result = emulate(path, inputs=[a, b], target=target, backend="portable")
    assert np.array_equal(result.outputs.view(np.uint32), result.expected.view(np.uint32)), result.summary()


def test_broadcast_constants(tmp_path):
    import tensorflow as tf

    row = tf.constant(np.array([1.5, -2.0, 0.25, 3.0, -0.75], np.float32))
    assert_float_function_exact(lambda x: tf.math.floormod(tf.math.floordiv(x * 10.0, row), row * 2.0),
                                [[1, 4, 5]], tmp_path, ["FLOOR_DIV", "FLOOR_MOD"], count=20)


def test_zero_divisor(tmp_path):
    """A computed zero divisor: TFLM's FLOOR_DIV fails, and so does the generated invoke; FLOOR_MOD gives NaN in
    both. A constant divisor holding a zero is refused at compile time."""
    import tensorflow as tf

    from tinygen.compiler import compile_model
    from tinygen.emulation import emulate
    from tinygen.errors import TinygenError
    from tinygen.oracle import reference_outputs

    a = np.ones((1, 1, 12), np.float32)
    b = np.ones((1, 1, 12), np.float32)
    b[0, 0, 5] = 0.0
    tflite = _two_input_model("FLOOR_DIV")
    with pytest.raises(TinygenError, match="cannot run"):
        reference_outputs(tflite, [a, b])
    path = tmp_path / "div.tflite"
    path.write_bytes(tflite)
    with pytest.raises(RuntimeError, match=r"generated program failed"):
        emulate(path, inputs=[a, b])
    path.write_bytes(_two_input_model("FLOOR_MOD"))
    result = emulate(path, inputs=[a, b])
    assert np.isnan(result.outputs.reshape(-1)[5]) and result.exact
    zero = tf.constant(np.array([1.0, 0.0], np.float32))
    path.write_bytes(float_tflite(tf.function(lambda x: tf.math.floordiv(x, zero),
                                              input_signature=[tf.TensorSpec([1, 2], tf.float32)])))
    with pytest.raises(TinygenError, match=r"FLOOR_DIV \(operator 0\) divides by a constant holding zero"):
        compile_model(path)
