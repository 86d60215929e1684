"""BATCH_MATMUL (int8): products of the data with itself and with constants, transposed either side, batch
dimensions broadcast (the constant's batch of 1 included), ranks 2 to 4; bit-exact with TFLM."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, op_kinds
from tests.support.schema_model import SchemaModel


def _model(x_shape, ops, seed):
    """x → BATCH_MATMUL(x or constant, ...) per op in `ops`: (other shape or "self", adj_x, adj_y, out shape)."""
    rng = np.random.default_rng(seed)
    m = SchemaModel("bmm")
    h = x = m.tensor(x_shape, scale=0.05, zero_point=int(rng.integers(-10, 10)))
    for other, adj_x, adj_y, out in ops:
        if other == "self":
            b = h
        else:
            b = m.tensor(other, scale=0.02, zero_point=int(rng.integers(-5, 5)),
                         data=rng.integers(-128, 128, other).astype(np.int8))
        y = m.tensor(out, scale=float(rng.uniform(0.05, 0.3)), zero_point=int(rng.integers(-10, 10)))
        m.op("BATCH_MATMUL", [h, b], [y], adj_x=adj_x, adj_y=adj_y)
        h = y
    return m.finish([x], [h])


@pytest.mark.parametrize("x_shape,ops", [
    ([3, 4], [([4, 5], False, False, [3, 5])]),  # rank 2
    ([2, 3, 4], [("self", False, True, [2, 3, 3])]),  # x·xᵀ
    ([2, 3, 4], [("self", True, False, [2, 4, 4])]),  # xᵀ·x
    ([2, 3, 4], [([1, 5, 4], False, True, [2, 3, 5])]),  # a constant batch of 1, transposed
    ([2, 2, 3, 4], [([2, 1, 4, 6], False, False, [2, 2, 3, 6])]),  # broadcast in the middle
    ([1, 5, 7], [([3, 7, 2], False, False, [3, 5, 2])]),  # the data broadcast
    ([2, 3, 4], [([4, 3], True, True, [2, 4, 4])]),  # both transposed, rank 3 by rank 2
])
def test_batch_matmul(tmp_path, x_shape, ops):
    tflite = _model(x_shape, ops, seed=len(x_shape) + len(ops[0][3]))
    assert op_kinds(tflite, tmp_path) == ["BATCH_MATMUL"] * len(ops)
    assert_bit_exact(tflite, tmp_path, count=8)


def test_keras_matmul(tmp_path):
    import tensorflow as tf

    from tests.support.helpers import int8_tflite, keras_model

    shape = (4, 6)
    layers = [tf.keras.layers.Dense(6), tf.keras.layers.Lambda(lambda t: tf.matmul(t, t, transpose_b=True))]
    tflite = int8_tflite(keras_model(layers, shape, seed=2), shape, seed=2)
    assert "BATCH_MATMUL" in op_kinds(tflite, tmp_path)
    assert_bit_exact(tflite, tmp_path, count=8)
