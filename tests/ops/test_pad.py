"""PAD / PADV2: paddings on every dimension, ranks 2–4, pad value = output zero point or a constant; MIRROR_PAD."""
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, op_kinds


def _check(tmp_path, build, shape, seed, kind):
    tflite = int8_tflite(keras_model(build, shape, seed=seed), shape, seed=seed)
    assert kind in op_kinds(tflite, tmp_path)
    assert_bit_exact(tflite, tmp_path)


@pytest.mark.parametrize("padding", [((1, 2), (0, 3)), ((0, 0), (2, 0)), ((3, 1), (1, 1))])
def test_zero_padding_2d(tmp_path, padding):
    import tensorflow as tf

    _check(tmp_path, [tf.keras.layers.ZeroPadding2D(padding)], (4, 5, 3), seed=sum(map(sum, padding)), kind="PAD")


@pytest.mark.parametrize("pads,shape", [
    ([[0, 0], [1, 2], [0, 1], [2, 3]], (3, 2, 4)),  # channels padded too: no dimension folds away
    ([[1, 0], [0, 0], [0, 2], [0, 0]], (3, 2, 4)),  # batch padded, unpadded dimensions fold into neighbours
    ([[0, 0], [2, 1]], (5,)),
])
def test_pad_any_dimension(tmp_path, pads, shape):
    import keras
    import tensorflow as tf

    build = [tf.keras.layers.Lambda(lambda t: keras.ops.pad(t, pads))]
    _check(tmp_path, build, shape, seed=len(shape), kind="PAD")


@pytest.mark.parametrize("value", [1.5, -0.7])
def test_padv2_constant(tmp_path, value):
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
    import numpy as np

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
