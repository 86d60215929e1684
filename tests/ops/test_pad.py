"""PAD / PADV2: paddings on every dimension, ranks 2–4, pad value = output zero point or a constant; int8 and
int16 (16x8); MIRROR_PAD."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, need_target, op_kinds

ACTIVATIONS = ["int8", "int16"]


def _check(tmp_path, build, shape, seed, kind, activations="int8"):
    tflite = int8_tflite(keras_model(build, shape, seed=seed), shape, seed=seed, activations=activations)
    assert kind in op_kinds(tflite, tmp_path)
    assert assert_bit_exact(tflite, tmp_path).outputs.dtype.name == activations


@pytest.mark.parametrize("activations", ACTIVATIONS)
@pytest.mark.parametrize("padding", [((1, 2), (0, 3)), ((0, 0), (2, 0)), ((3, 1), (1, 1))])
def test_zero_padding_2d(tmp_path, padding, activations):
    import tensorflow as tf

    _check(tmp_path, [tf.keras.layers.ZeroPadding2D(padding)], (4, 5, 3), seed=sum(map(sum, padding)), kind="PAD",
           activations=activations)


@pytest.mark.parametrize("pads,shape", [
    ([[0, 0], [1, 2], [0, 1], [2, 3]], (3, 2, 4)),  # channels padded too: no dimension folds away
    ([[1, 0], [0, 0], [0, 2], [0, 0]], (3, 2, 4)),  # batch padded, unpadded dimensions fold into neighbours
    ([[0, 0], [2, 1]], (5,)),
])
@pytest.mark.parametrize("activations", ACTIVATIONS)
def test_pad_any_dimension(tmp_path, pads, shape, activations):
    import keras
    import tensorflow as tf

    build = [tf.keras.layers.Lambda(lambda t: keras.ops.pad(t, pads))]
    _check(tmp_path, build, shape, seed=len(shape), kind="PAD", activations=activations)


@pytest.mark.parametrize("value", [1.5, -0.7])
def test_padv2_constant(tmp_path, value):
    """int8 only: the 16x8 converter leaves PADV2's value float32, which TFLM (and tinygen) refuse."""
    import keras
    import tensorflow as tf

    build = [tf.keras.layers.Lambda(lambda t: keras.ops.pad(t, [[0, 0], [1, 2], [2, 0]], constant_values=value))]
    _check(tmp_path, build, (3, 4), seed=7, kind="PADV2")


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC"])
@pytest.mark.parametrize("pads,shape", [
    ([[0, 0], [2, 1], [1, 2], [0, 0]], (4, 5, 3)),
    ([[0, 0], [1, 1], [0, 0], [2, 2]], (3, 2, 4)),  # channels padded too
    ([[0, 0], [0, 3]], (5,)),
])
def test_mirror_pad(tmp_path, mode, pads, shape):
    import tensorflow as tf

    build = [tf.keras.layers.Dense(shape[-1]), tf.keras.layers.Lambda(lambda t: tf.pad(t, pads, mode=mode))]
    _check(tmp_path, build, shape, seed=len(shape) + len(mode), kind="MIRROR_PAD")


def test_mirror_pad_beyond_the_mode_is_refused(tmp_path):
    from tests.support.schema_model import SchemaModel
    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    m = SchemaModel("bad")
    x = m.tensor([1, 3, 2], scale=0.05, zero_point=0)
    pads = m.tensor([3, 2], "int32", data=np.array([[0, 0], [3, 0], [0, 0]], np.int32))
    y = m.tensor([1, 6, 2], scale=0.05, zero_point=0)
    m.op("MIRROR_PAD", [x, pads], [y], mode=0)
    path = tmp_path / "m.tflite"
    path.write_bytes(m.finish([x], [y]))
    with pytest.raises(TinygenError, match=r"MIRROR_PAD \(operator 0\) pads axis 1 \(size 3\) by 3, 0, more than "
                                           "REFLECT mode allows"):
        compile_model(path)


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_int16_pad_and_padv2(tmp_path, target):
    """TFLM pads int16 with 0, not the output zero point (int8 pads with the zero point); PADV2 with its int16
    value (here -12345)."""
    from tests.support.schema_model import SchemaModel
    from tinygen.emulation import emulate

    need_target(target)
    m = SchemaModel("pad16")
    x = m.tensor([1, 3, 4], "int16", scale=0.01, zero_point=-300)
    pads = m.tensor([3, 2], "int32", data=np.array([[0, 0], [1, 2], [0, 1]], np.int32))
    h = m.tensor([1, 6, 5], "int16", scale=0.01, zero_point=-300)
    m.op("PAD", [x, pads], [h])
    pads2 = m.tensor([3, 2], "int32", data=np.array([[0, 0], [0, 0], [2, 1]], np.int32))
    value = m.tensor([1], "int16", scale=0.01, zero_point=-300, data=np.array([-12345], np.int16))
    y = m.tensor([1, 6, 8], "int16", scale=0.01, zero_point=-300)
    m.op("PADV2", [h, pads2, value], [y])
    path = tmp_path / "pad16.tflite"
    path.write_bytes(m.finish([x], [y]))
    result = emulate(path, count=3, target=target)
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert result.expected[0, 0, 0, 0] == -12345 and result.expected[0, 0, 0, 2] == 0


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32_pad_and_padv2(tmp_path, target):
    """float32 PAD (TFLM's float Pad fills +0.0f) and PADV2 with a constant value, e.g. Keras ZeroPadding2D."""
    import tensorflow as tf

    from tests.support.helpers import assert_float_function_exact

    def padded(x):
        p = tf.pad(x, [[0, 0], [1, 2], [0, 1], [0, 0]])
        return tf.pad(p * -1.0, [[0, 0], [0, 0], [2, 0], [1, 1]], constant_values=-2.5)

    assert_float_function_exact(padded, [[1, 3, 4, 2]], tmp_path, ["PAD", "PADV2"], target)
