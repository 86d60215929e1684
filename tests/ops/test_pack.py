"""PACK of activations (int8 and float32), over axes (negative too), ranks and input counts, bit-exact with TFLM;
constant PACKs still fold away."""
import pytest

from tests.support.helpers import assert_bit_exact, assert_float_function_exact, int8_tflite, keras_model, op_kinds


@pytest.mark.parametrize("shape,axis,count", [((6,), 0, 2), ((6,), -1, 3), ((3, 4), 1, 2), ((3, 4), 0, 3),
                                              ((2, 3, 2), -2, 4), ((2, 3, 2), 3, 2)])
def test_int8(tmp_path, shape, axis, count):
    """x and Dense(x) stacked along a new axis (the converter quantizes both like the output)."""
    import tensorflow as tf

    def build(x):
        parts = [x, tf.keras.layers.Dense(shape[-1])(x)] * count
        return tf.keras.layers.Lambda(lambda t: tf.stack(t, axis=axis))(parts[:count])

    tflite = int8_tflite(keras_model(build, shape, seed=len(shape) + count), shape, seed=count)
    assert "PACK" in op_kinds(tflite, tmp_path)
    assert_bit_exact(tflite, tmp_path, count=6, seed=axis + 5)


def test_int8_on_cortex_m4(tmp_path):
    import tensorflow as tf

    def build(x):
        return tf.keras.layers.Lambda(lambda t: tf.stack(t, axis=1))([x, tf.keras.layers.Dense(5)(x)])

    tflite = int8_tflite(keras_model(build, (3, 5), seed=2), (3, 5), seed=2)
    assert_bit_exact(tflite, tmp_path, target="cortex-m4")


def test_float32(tmp_path):
    import tensorflow as tf

    assert_float_function_exact(lambda x, y: tf.stack([x, y * 2.0, x], axis=-2), [(2, 3, 4), (2, 3, 4)], tmp_path,
                                kinds=["PACK"])


def test_unequal_quantization_copied(tmp_path):
    """TFLM copies int8 bytes whatever the inputs' scales (PACK has no Prepare): so does tinygen."""
    from tests.support.schema_model import SchemaModel

    m = SchemaModel()
    x = m.tensor([2, 3], scale=0.05, zero_point=-3)
    s = m.tensor([2, 3], scale=0.11, zero_point=4)
    m.op("ABS", [x], [s])
    y = m.tensor([2, 2, 3], scale=0.07, zero_point=0)
    m.op("PACK", [x, s], [y], values_count=2, axis=0)
    assert_bit_exact(m.finish([x], [y]), tmp_path, seed=3)
