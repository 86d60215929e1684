"""SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND (int8): TensorFlow's dilated pooling and explicit space_to_batch_nd /
batch_to_space converted with int8 quantization, and hand-built 3-D and 4-D models with padding, crops and
batches, bit-exact with TFLM; refusals name the operator."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, op_kinds
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.errors import TinygenError


def _converted(tmp_path, fn, shape, seed, kinds):
    import tensorflow as tf

    model = keras_model([tf.keras.layers.Dense(shape[-1]), tf.keras.layers.Lambda(fn)], shape, seed=seed)
    tflite = int8_tflite(model, shape, seed=seed)
    found = op_kinds(tflite, tmp_path)
    assert set(kinds) <= set(found), found
    assert_bit_exact(tflite, tmp_path, count=6, seed=seed)


def test_keras_dilated_conv2d(tmp_path):
    """Keras's Conv2D(dilation_rate=2): TF lowers it to SPACE_TO_BATCH_ND → CONV_2D → BATCH_TO_SPACE_ND, which
    the converter may fuse back into one dilated CONV_2D; either way the converted model is exact."""
    import tensorflow as tf

    model = keras_model([tf.keras.layers.Conv2D(4, 3, dilation_rate=2, padding="same")], (9, 9, 3), seed=1)
    tflite = int8_tflite(model, (9, 9, 3), seed=1)
    assert "CONV_2D" in op_kinds(tflite, tmp_path)
    assert_bit_exact(tflite, tmp_path, count=6, seed=1)


def test_explicit_dilated_conv2d(tmp_path):
    """The unfused form: SPACE_TO_BATCH_ND (padded) → CONV_2D → LEAKY_RELU → BATCH_TO_SPACE_ND (cropped), kept
    because the activation between them hides the pattern from the converter's dilated-convolution fusion."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(7)
    x = tf.keras.Input((9, 9, 3), batch_size=1)
    y = tf.keras.layers.Lambda(lambda t: tf.space_to_batch_nd(t, [2, 2], [[1, 2], [1, 2]]))(x)
    y = tf.keras.layers.LeakyReLU(0.2)(tf.keras.layers.Conv2D(4, 3)(y))
    y = tf.keras.layers.Lambda(lambda t: tf.batch_to_space(t, [2, 2], [[0, 1], [0, 1]]))(y)
    tflite = int8_tflite(tf.keras.Model(x, y), (9, 9, 3), seed=7)
    assert op_kinds(tflite, tmp_path) == ["SPACE_TO_BATCH_ND", "CONV_2D", "LEAKY_RELU", "BATCH_TO_SPACE_ND"]
    assert_bit_exact(tflite, tmp_path, count=6, seed=7)


@pytest.mark.parametrize("shape,block,pads,seed", [
    ((9, 9, 3), [2, 2], [[1, 2], [1, 2]], 0),
    ((4, 6, 2), [2, 3], [[0, 0], [0, 0]], 1),
    ((5, 4), [3], [[2, 2]], 2),  # 3-D: one spatial dimension
])
def test_space_to_batch_nd(tmp_path, shape, block, pads, seed):
    import tensorflow as tf

    _converted(tmp_path, lambda t: tf.space_to_batch_nd(t, block, pads), shape, seed, ["SPACE_TO_BATCH_ND"])


@pytest.mark.parametrize("shape,block,crops,seed", [
    ((4, 5, 3), [2, 2], [[1, 0], [0, 2]], 3),
    ((4, 2, 2), [2, 2], [[0, 0], [0, 0]], 4),
    ((6, 4), [3], [[1, 1]], 5),
])
def test_batch_to_space_nd(tmp_path, shape, block, crops, seed):
    """The batch of 1 the converter fixes is reshaped into the blocks' batches first."""
    import tensorflow as tf

    blocks = int(np.prod(block))

    def fn(t):
        t = tf.reshape(t, (blocks, shape[0] // blocks) + tuple(shape[1:]))
        return tf.batch_to_space(t, block, crops)

    _converted(tmp_path, fn, shape, seed, ["BATCH_TO_SPACE_ND"])


def test_dilated_max_pool(tmp_path):
    """tf.nn.pool with dilations: SPACE_TO_BATCH_ND → MAX_POOL_2D → BATCH_TO_SPACE_ND (9 rows in blocks of 2:
    padded, then cropped)."""
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec((1, 9, 9, 3), tf.float32)])
    def pool(x):
        return tf.nn.pool(x, [2, 2], "MAX", padding="VALID", dilations=[2, 2])

    tflite = int8_tflite(pool, (9, 9, 3), seed=6)
    found = op_kinds(tflite, tmp_path)
    assert {"SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND"} <= set(found), found
    assert_bit_exact(tflite, tmp_path, count=6, seed=6)


def _pair(shape, block, pads, crops, zero_point=0, dtype="int8", batch=1):
    """SPACE_TO_BATCH_ND then BATCH_TO_SPACE_ND, shapes derived from the block, paddings and crops."""
    spatial = len(block)
    m = SchemaModel()
    q = {} if dtype == "float32" else {"scale": 0.05, "zero_point": zero_point}
    x = m.tensor([batch, *shape], dtype, **q)
    b = m.tensor([spatial], "int32", data=np.array(block, np.int32))
    p = m.tensor([spatial, 2], "int32", data=np.array(pads, np.int32))
    padded = [(shape[a] + sum(pads[a])) // block[a] for a in range(spatial)]
    s = m.tensor([batch * int(np.prod(block)), *padded, *shape[spatial:]], dtype, **q)
    m.op("SPACE_TO_BATCH_ND", [x, b, p], [s])
    c = m.tensor([spatial, 2], "int32", data=np.array(crops, np.int32))
    out = [padded[a] * block[a] - sum(crops[a]) for a in range(spatial)]
    y = m.tensor([batch, *out, *shape[spatial:]], dtype, **q)
    m.op("BATCH_TO_SPACE_ND", [s, b, c], [y])
    return m.finish([x], [y])


@pytest.mark.parametrize("shape,block,pads,crops,zero_point,batch", [
    ((5, 6, 3), [2, 2], [[1, 2], [0, 2]], [[0, 1], [2, 0]], 0, 1),
    ((5, 6, 3), [2, 3], [[1, 0], [1, 2]], [[1, 1], [0, 3]], -7, 2),  # fills with 0, not the zero point (TFLM)
    ((7, 2), [3], [[1, 1]], [[2, 0]], 5, 2),  # 3-D NHC
    ((4, 4, 1), [1, 1], [[0, 0], [0, 0]], [[0, 0], [0, 0]], 0, 1),  # block 1, nothing padded: aliases
])
def test_schema_models(tmp_path, shape, block, pads, crops, zero_point, batch):
    assert_bit_exact(_pair(shape, block, pads, crops, zero_point, batch=batch), tmp_path, count=4)


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32(tmp_path, target):
    """TFLM's float32 kernels: the same copies, the padding 0.0f."""
    from tinygen.compiler import compile_model as compile_path

    tflite = _pair((5, 6, 3), [2, 3], [[1, 0], [1, 2]], [[1, 1], [0, 3]], dtype="float32", batch=2)
    path = tmp_path / "float.tflite"
    path.write_bytes(tflite)
    assert [layer.kernel for layer in compile_path(path).layers] == ["tg_space_to_batch_f32", "tg_gather5_f32"]
    result = assert_bit_exact(tflite, tmp_path, count=4, target=target)
    assert result.outputs.dtype == np.float32


def test_cortex_m4(tmp_path):
    assert_bit_exact(_pair((5, 6, 3), [2, 2], [[1, 2], [0, 2]], [[0, 1], [2, 0]], 3), tmp_path, count=3,
                     target="cortex-m4")


def _compile(tflite, tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(tflite)
    return compile_model(path)


def _single(kind, x_shape, y_shape, block, pads, y_zero_point=0, dtype="int8", const=True):
    m = SchemaModel()
    x = m.tensor(x_shape, dtype, scale=0.05, zero_point=0)
    b = (m.tensor([len(block)], "int32", data=np.array(block, np.int32)) if const  # else a (quantized) model input
         else m.tensor([len(block)], "int32", scale=1.0))
    p = m.tensor([len(block), 2], "int32", data=np.array(pads, np.int32))
    y = m.tensor(y_shape, dtype, scale=0.05, zero_point=y_zero_point)
    m.op(kind, [x, b, p], [y])
    return m.finish([x, b] if not const else [x], [y])


def test_refusals(tmp_path):
    with pytest.raises(TinygenError, match=r"SPACE_TO_BATCH_ND \(operator 0\) has int16 tensor 't0'; tinygen "
                                           "compiles SPACE_TO_BATCH_ND on int8, float32 tensors, the types TFLite "
                                           "Micro's kernel takes"):
        _compile(_single("SPACE_TO_BATCH_ND", [1, 4, 4, 2], [4, 2, 2, 2], [2, 2], [[0, 0], [0, 0]], dtype="int16"),
                 tmp_path)
    unlike = r"reads 't0' \(scale 0.05.*, zero point 0\) quantized unlike its output \(scale 0.05.*, zero point 3\)"
    with pytest.raises(TinygenError, match=rf"BATCH_TO_SPACE_ND \(operator 0\) {unlike}; it only moves bytes"):
        _compile(_single("BATCH_TO_SPACE_ND", [4, 2, 2, 2], [1, 4, 4, 2], [2, 2], [[0, 0], [0, 0]], 3), tmp_path)
    with pytest.raises(TinygenError, match=r"SPACE_TO_BATCH_ND \(operator 0\) with block \[2, 2\] and paddings "
                                           r"\[\(1, 0\), \(0, 0\)\] maps \[1, 4, 4, 2\] to"):
        _compile(_single("SPACE_TO_BATCH_ND", [1, 4, 4, 2], [4, 2, 2, 2], [2, 2], [[1, 0], [0, 0]]), tmp_path)
    with pytest.raises(TinygenError, match=r"BATCH_TO_SPACE_ND \(operator 0\) has a run-time or int32 block shape"):
        _compile(_single("BATCH_TO_SPACE_ND", [4, 2, 2, 2], [1, 4, 4, 2], [2, 2], [[0, 0], [0, 0]], const=False),
                 tmp_path)
