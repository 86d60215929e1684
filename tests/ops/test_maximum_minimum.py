"""MAXIMUM / MINIMUM (int8): same shapes, broadcasting either operand against constants and reshaped branches
up to rank 4, operands quantized unlike each other (TFLM compares the stored values), rank 5 refused; every case
bit-exact with TFLM."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, op_kinds, random_constant
from tests.support.schema_model import SchemaModel


def _branches(kind, op, seed):
    """(callable building the graph from the one input, input shape)."""
    import tensorflow as tf

    L, ops = tf.keras.layers, tf.keras.ops
    f = getattr(ops, op)
    if kind == "dense":
        return (lambda x: f(x, L.Dense(12)(x))), (12,)
    if kind == "const_channels":  # [1,4,4,3] with [1,1,1,3]
        return (lambda x: f(x, random_constant((1, 1, 1, 3), seed))), (4, 4, 3)
    if kind == "const_first":  # constant first, rank 3
        return (lambda x: f(random_constant((7,), seed), x)), (3, 7)
    if kind == "two_sided":  # [1,4,1,3] with [1,1,5,3] -> [1,4,5,3]
        return (lambda x: f(L.AveragePooling2D((1, 5))(x), L.MaxPooling2D((4, 1))(x))), (4, 5, 3)
    if kind == "row_column":
        return (lambda x: f(L.Reshape((1, 6))(L.Dense(6)(x)), L.Reshape((4, 1))(L.Dense(4)(x)))), (5,)
    raise ValueError(kind)


KINDS = ["dense", "const_channels", "const_first", "two_sided", "row_column"]


@pytest.mark.parametrize("op", ["maximum", "minimum"])
@pytest.mark.parametrize("kind", KINDS)
def test_converted(tmp_path, kind, op):
    seed = KINDS.index(kind) + (90 if op == "maximum" else 95)
    build, shape = _branches(kind, op, seed)
    tflite = int8_tflite(keras_model(build, shape, seed=seed), shape, seed=seed)
    assert op.upper() in op_kinds(tflite, tmp_path)
    assert_bit_exact(tflite, tmp_path, count=6)


def _schema(kind, a_shape, b_shape, y_shape, quants):
    """x (a_shape) ∘ constant (b_shape) → y, each quantized as `quants` gives (scale, zero point)."""
    rng = np.random.default_rng(7)
    m = SchemaModel(kind.lower())
    (sa, za), (sb, zb), (sy, zy) = quants
    x = m.tensor(a_shape, scale=sa, zero_point=za)
    c = m.tensor(b_shape, scale=sb, zero_point=zb, data=rng.integers(-128, 128, b_shape).astype(np.int8))
    y = m.tensor(y_shape, scale=sy, zero_point=zy)
    m.op(kind, [x, c], [y])
    return m.finish([x], [y])


@pytest.mark.parametrize("kind", ["MAXIMUM", "MINIMUM"])
def test_unlike_quantizations_compare_stored_values(tmp_path, kind):
    tflite = _schema(kind, [2, 3, 5], [3, 1], [2, 3, 5], [(0.05, -10), (0.5, 40), (0.01, 100)])
    assert_bit_exact(tflite, tmp_path, count=8)


def test_rank_5_is_refused(tmp_path):
    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    path = tmp_path / "rank5.tflite"
    path.write_bytes(_schema("MAXIMUM", [1, 2, 2, 2, 2], [2], [1, 2, 2, 2, 2], [(0.05, 0)] * 3))
    with pytest.raises(TinygenError, match=r"MAXIMUM \(operator 0\) has rank-5 tensors; tinygen broadcasts up to "
                                           "rank 4"):
        compile_model(path)


def _typed_model(dtype: str, other_shape) -> bytes:
    """MAXIMUM of the input and a constant of `other_shape` (broadcast), then MINIMUM with the input."""
    rng = np.random.default_rng(7)
    m = SchemaModel(f"maximum_minimum_{dtype}")
    q = {} if dtype == "float32" else {"scale": 1.0 if dtype == "int32" else 0.05, "zero_point": 0}
    x = m.tensor([1, 3, 4, 5], dtype, **q)
    if dtype == "float32":
        values = rng.standard_normal(other_shape).astype(np.float32)
        values.reshape(-1)[:3] = [np.nan, -0.0, 0.0]
    else:
        info = np.iinfo(dtype)
        values = rng.integers(info.min, info.max, other_shape, endpoint=True).astype(dtype)
    c = m.tensor(list(other_shape), dtype, data=values, **q)
    h = m.tensor([1, 3, 4, 5], dtype, **q)
    m.op("MAXIMUM", [x, c], [h])
    y = m.tensor([1, 3, 4, 5], dtype, **q)
    m.op("MINIMUM", [h, x], [y])
    return m.finish([x], [y])


@pytest.mark.parametrize("other_shape", [(1, 3, 4, 5), (5,)])
@pytest.mark.parametrize("dtype", ["int16", "int32", "float32"])
def test_other_types(tmp_path, dtype, other_shape):
    """TFLM's other types: int16, int32 and float32, where the comparison order decides NaN and -0.0 against 0.0
    (compared bit for bit; the constant's NaN is C's NAN)."""
    result = assert_bit_exact(_typed_model(dtype, other_shape), tmp_path, count=4)
    assert result.outputs.dtype == np.dtype(dtype)
    assert np.array_equal(result.outputs.view(np.uint8), result.expected.view(np.uint8))


def test_unquantized_int32(tmp_path):
    """int32 values as shape and index arithmetic leaves them (unquantized, here cast from the input)."""
    m = SchemaModel("maximum_minimum_index")
    x = m.tensor([2, 6], "int8", scale=0.1)
    wide = m.tensor([2, 6], "int32")
    m.op("CAST", [x], [wide])
    low = m.tensor([6], "int32", data=np.array([-200, -5, 0, 3, 50, 2**31 - 1], np.int32))
    h = m.tensor([2, 6], "int32")
    m.op("MAXIMUM", [wide, low], [h])
    y = m.tensor([2, 6], "int32")
    m.op("MINIMUM", [h, m.tensor([1], "int32", data=np.array([40], np.int32))], [y])
    result = assert_bit_exact(m.finish([x], [y]), tmp_path, count=4)
    assert result.outputs.dtype == np.int32
