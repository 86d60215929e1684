"""REDUCE_ALL (bool → bool) after an int8 comparison, as TensorFlow's converter emits tf.reduce_all of x > c: every
axis set, keep_dims, neighbouring and separate axes; bit-exact with TFLM."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, op_kinds
from tests.support.schema_model import SchemaModel


@pytest.mark.parametrize("axes,keepdims", [([1], False), ([1, 2], True), ([0, 2], False), ([2], True)])
def test_converted(tmp_path, axes, keepdims):
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec([1, 5, 6], tf.float32)])
    def all_above(x):
        return tf.reduce_all(x > -0.3, axis=axes, keepdims=keepdims)

    tflite = int8_tflite(all_above, (5, 6), seed=len(axes))
    assert "REDUCE_ALL" in op_kinds(tflite, tmp_path)
    samples = np.random.default_rng(1).integers(-128, 128, (20, 1, 5, 6)).astype(np.int8)
    samples[:10] = np.maximum(samples[:10], 100)  # well above the threshold: all true
    result = assert_bit_exact(tflite, tmp_path, inputs=samples)
    assert result.outputs.dtype == np.bool_ and result.outputs.any() and not result.outputs.all()


def test_on_cortex_m4(tmp_path):
    from tinygen.ops.reduce_all import example

    assert_bit_exact(example(SchemaModel(), np.random.default_rng(0)), tmp_path, count=3, target="cortex-m4")


def test_int8_input_is_refused(tmp_path):
    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    m = SchemaModel()
    x = m.tensor([1, 4], scale=0.05)
    axis = m.tensor([1], "int32", data=np.array([1], np.int32))
    y = m.tensor([1], scale=0.05)
    m.op("REDUCE_ALL", [x, axis], [y], keep_dims=False)
    path = tmp_path / "model.tflite"
    path.write_bytes(m.finish([x], [y]))
    with pytest.raises(TinygenError, match="REDUCE_ALL \\(operator 0\\) reduces int8 to int8"):
        compile_model(path)
