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
