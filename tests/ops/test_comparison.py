"""EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL: int8 operands rescaled as TFLM's Prepare rescales
them (each by its own scale, left shift 8: values that round alike are equal), int32 and bool operands compared
as stored, broadcast up to rank 5 (dimensions that do not merge into four loop), the bool result a model output;
bit-exact with TFLM. int16, float32 and scales TFLM cannot rescale are refused."""
import functools

import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, op_kinds
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.errors import TinygenError
from tinygen.ops.comparison import TRUTH

KINDS = list(TRUTH)


def _model(kind, a_shape, b_shape, dtype="int8", a_quant=(0.05, -3), b_quant=(0.03, 7), b_const=False,
           seed=0) -> bytes:
    """kind(a, b) → bool output; b a model input or (b_const) a random constant."""
    rng = np.random.default_rng(seed)
    m = SchemaModel("cmp")
    quantized = dtype in ("int8", "int16")
    a = m.tensor(a_shape, dtype, *(a_quant if quantized else (None, 0)))
    data = None
    if b_const:
        data = (rng.integers(0, 2, b_shape).astype(bool) if dtype == "bool" else
                rng.integers(-128, 128, b_shape).astype(dtype) if dtype != "float32" else
                rng.standard_normal(b_shape).astype(np.float32))
    b = m.tensor(b_shape, dtype, *(b_quant if quantized else (None, 0)), data=data)
    y = m.tensor(np.broadcast_shapes(tuple(a_shape), tuple(b_shape)), "bool")
    m.op(kind, [a, b], [y])
    return m.finish([a] if b_const else [a, b], [y])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("a_shape,b_shape", [([2, 3, 8], [2, 3, 8]), ([1, 4, 4, 3], [3]), ([2, 1, 5], [4, 1])])
def test_int8_inputs(tmp_path, kind, a_shape, b_shape):
    result = assert_bit_exact(_model(kind, a_shape, b_shape), tmp_path, count=6, seed=len(a_shape))
    assert result.outputs.dtype == np.bool_
    if kind not in ("EQUAL", "NOT_EQUAL"):  # random values are seldom equal: see the next test
        assert 0 < result.outputs.mean() < 1


@pytest.mark.parametrize("kind", KINDS)
def test_values_that_round_alike_are_equal(tmp_path, kind):
    """Tiny scales: TFLM's rescale (scale · 2^8 < 1) maps neighbouring int8 values to one, so EQUAL holds for
    values that differ; every pair of int8 values is compared."""
    a = np.repeat(np.arange(-128, 128, dtype=np.int8), 256).reshape(1, 256, 256)
    b = np.tile(np.arange(-128, 128, dtype=np.int8), 256).reshape(1, 256, 256)
    path = tmp_path / "tiny.tflite"
    path.write_bytes(_model(kind, [256, 256], [256, 256], a_quant=(0.0011, 5), b_quant=(0.0007, -9)))
    from tinygen.emulation import emulate

    result = emulate(path, inputs=[a, b], backend="portable")
    assert np.array_equal(result.outputs, result.expected), result.summary()
    if kind == "EQUAL":  # more pairs than the 256 with equal stored values
        assert result.outputs.sum() > 2 * 256


@pytest.mark.parametrize("a_quant,b_quant", [((0.99, -128), (0.5, 127)), ((1e-6, 0), (0.02, -128)),
                                             ((0.05, 3), (0.05, 3)), ((3.9e-9, 0), (0.013, -29)),
                                             ((1e-12, 10), (1e-12, -10))])
def test_extreme_quantization(tmp_path, a_quant, b_quant):
    """Scales near 1, equal, and so small that TFLM's multiplier is 0 (every rescaled value 0: all equal)."""
    assert_bit_exact(_model("GREATER_EQUAL", [4, 16], [16], a_quant=a_quant, b_quant=b_quant), tmp_path, count=8)


@pytest.mark.parametrize("kind", KINDS)
def test_int32_against_a_constant(tmp_path, kind):
    """argmax(x) (int32, unquantized: a model input must be quantized) against a constant row of indices."""
    m = SchemaModel("cmp32")
    x = m.tensor([3, 5, 4], scale=0.05, zero_point=-3)
    axis = m.tensor([1], "int32", data=np.array([-1], np.int32))
    index = m.tensor([3, 5], "int32")
    m.op("ARG_MAX", [x, axis], [index], output_type=2)
    row = m.tensor([5], "int32", data=np.array([0, 1, 2, 3, 2], np.int32))
    y = m.tensor([3, 5], "bool")
    m.op(kind, [index, row], [y])
    result = assert_bit_exact(m.finish([x], [y]), tmp_path, count=10)
    assert result.outputs.any()


@pytest.mark.parametrize("kind", ["EQUAL", "NOT_EQUAL"])
def test_bool_inputs(tmp_path, kind):
    result = assert_bit_exact(_model(kind, [2, 3, 4], [3, 1], "bool"), tmp_path, count=8)
    assert 0 < result.outputs.mean() < 1


def test_rank5_broadcast_merges(tmp_path):
    """Rank 5 where the operands' broadcast dimensions merge into four (TFLM broadcasts up to rank 8)."""
    assert_bit_exact(_model("LESS", [2, 3, 2, 4, 5], [1, 3, 1, 1, 5]), tmp_path, count=4)


@pytest.mark.parametrize("kind", ["GREATER", "EQUAL"])
def test_rank5_broadcast_loops(tmp_path, kind):
    """Five dimensions that do not merge: the generated code loops over the outermost."""
    tflite = _model(kind, [2, 3, 2, 4, 5], [2, 1, 2, 1, 5], a_quant=(0.004, 0), b_quant=(0.004, 0))
    result = assert_bit_exact(tflite, tmp_path, count=4)
    assert result.outputs.any()


def test_rank6_broadcast_that_does_not_merge_is_refused(tmp_path):
    path = tmp_path / "r6.tflite"
    path.write_bytes(_model("LESS", [2, 3, 2, 3, 2, 3], [2, 1, 2, 1, 2, 1]))
    with pytest.raises(TinygenError, match=r"LESS \(operator 0\) broadcasts .* 6 dimensions that do not merge"):
        compile_model(path)


@functools.lru_cache(maxsize=None)
def _keras_greater_equal() -> bytes:
    import tensorflow as tf

    x = tf.keras.Input(shape=(4, 6), batch_size=1)
    row = tf.keras.Input(shape=(1, 6), batch_size=1)
    out = tf.keras.layers.Lambda(lambda t: t[0] >= t[1])([x, row])
    return int8_tflite(tf.keras.Model([x, row], out), [(4, 6), (1, 6)], seed=1)


def test_keras_comparison_output(tmp_path):
    """A converted x >= row whose bool result is the model's output."""
    tflite = _keras_greater_equal()
    assert op_kinds(tflite, tmp_path) == ["GREATER_EQUAL"]
    result = assert_bit_exact(tflite, tmp_path, count=20)
    assert 0 < result.outputs.mean() < 1


def test_keras_argmax_equal(tmp_path):
    """argmax(x) == 2: an int32 EQUAL against a constant, after ARG_MAX."""
    import tensorflow as tf

    build = [tf.keras.layers.Dense(5),
             tf.keras.layers.Lambda(lambda t: tf.equal(tf.argmax(t, axis=-1, output_type=tf.int32), 2))]
    tflite = int8_tflite(keras_model(build, (4, 6), seed=3), (4, 6), seed=3)
    assert op_kinds(tflite, tmp_path)[-2:] == ["ARG_MAX", "EQUAL"]
    result = assert_bit_exact(tflite, tmp_path, count=20)
    assert result.outputs.any()


@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
def test_cross(tmp_path, target):
    assert_bit_exact(_model("NOT_EQUAL", [3, 1, 5], [4, 1], a_quant=(0.004, 1), b_quant=(0.003, -2)), tmp_path,
                     count=3, target=target)


@pytest.mark.parametrize("kind,dtype,message", [
    ("GREATER", "int16", r"GREATER \(operator 0\) compares int16 tensors \(TFLM's GREATER leaves the int16 "
                         r"rescale uninitialised\)"),
    ("LESS", "int16", r"LESS \(operator 0\) compares int16 tensors; tinygen compares int8, int32"),
    ("EQUAL", "float32", r"is a float model: EQUAL \(operator 0\) computes in float32"),
    ("GREATER", "bool", r"GREATER \(operator 0\) compares bool tensors"),
])
def test_unsupported_types_are_refused(tmp_path, kind, dtype, message):
    path = tmp_path / "m.tflite"
    path.write_bytes(_model(kind, [2, 4], [2, 4], dtype))
    with pytest.raises(TinygenError, match=message):
        compile_model(path)


def test_scale_of_one_is_refused(tmp_path):
    """TFLM's QuantizeMultiplierSmallerThanOneExp(scale) aborts for a scale of 1 or more."""
    path = tmp_path / "m.tflite"
    path.write_bytes(_model("LESS", [2, 4], [4], a_quant=(1.0, 0)))
    with pytest.raises(TinygenError, match=r"LESS \(operator 0\): int8 operand 't0' has scale 1; TFLM rescales"):
        compile_model(path)


def test_mixed_operand_types_are_refused(tmp_path):
    m = SchemaModel("mixed")
    a = m.tensor([4], scale=0.05)
    b = m.tensor([4], "int32", data=np.arange(4, dtype=np.int32))
    y = m.tensor([4], "bool")
    m.op("EQUAL", [a, b], [y])
    path = tmp_path / "m.tflite"
    path.write_bytes(m.finish([a], [y]))
    with pytest.raises(TinygenError, match=r"EQUAL \(operator 0\) compares int8 with int32"):
        compile_model(path)


def test_int32_of_different_quantizations_is_refused(tmp_path):
    m = SchemaModel("q32")
    a = m.tensor([4], "int32", scale=0.5, zero_point=0)
    b = m.tensor([4], "int32", scale=0.25, zero_point=0, data=np.arange(4, dtype=np.int32))
    y = m.tensor([4], "bool")
    m.op("GREATER", [a, b], [y])
    path = tmp_path / "m.tflite"
    path.write_bytes(m.finish([a], [y]))
    with pytest.raises(TinygenError, match=r"GREATER \(operator 0\) compares int32 tensors of different quant"):
        compile_model(path)


def test_comparison_in_place(tmp_path):
    """(x · c) > row: the comparison's bool result overwrites the MUL's int8 result (one byte each, same shape)."""
    m = SchemaModel("inplace")
    q = dict(scale=0.05, zero_point=-4)
    x = m.tensor([2, 16], **q)
    c = m.tensor([], scale=0.01, zero_point=0, data=np.array(-90, np.int8))
    scaled = m.tensor([2, 16], **q)
    m.op("MUL", [x, c], [scaled])
    row = m.tensor([16], scale=0.03, zero_point=5, data=np.arange(-8, 8, dtype=np.int8) * 12)
    condition, y = m.tensor([2, 16], "bool"), m.tensor([2, 16], "bool")
    m.op("GREATER", [scaled, row], [condition])
    m.op("LOGICAL_NOT", [condition], [y])
    tflite = m.finish([x], [y])
    result = assert_bit_exact(tflite, tmp_path, count=8)
    assert 0 < result.outputs.mean() < 1
    path = tmp_path / "inplace.tflite"
    path.write_bytes(tflite)
    layers = {layer.kernel: layer for layer in compile_model(path, backend="portable").layers}
    assert layers["tg_comparison_s8"].applied_inplace is not None
