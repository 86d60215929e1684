"""TRANSPOSE (int8): Keras Permute over ranks 2 to 5 (merged axes, size-1 axes, an alias where only size-1 axes
move), a folded transpose of a constant, and the refusals of what TFLM's Prepare rejects; bit-exact with TFLM."""
import numpy as np
import pytest

from tests.support.helpers import (assert_bit_exact, assert_float_function_exact, int8_tflite, int16_tflite,
                                   keras_model, op_kinds)
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.errors import TinygenError

# (input shape without the batch, Keras Permute dims): TFLite perm is (0, *dims)
PERMUTES = [
    ((4, 6), (2, 1)),  # rank 3
    ((3, 4, 5), (3, 1, 2)),  # NHWC -> NCHW
    ((3, 4, 5), (2, 3, 1)),  # NCHW -> NHWC
    ((3, 4, 5), (2, 1, 3)),  # the innermost axis stays: merged rows
    ((2, 3, 4, 5), (4, 2, 3, 1)),  # rank 5
    ((2, 1, 4, 3), (3, 1, 4, 2)),  # a size-1 axis among them
    ((7, 9), (2, 1)),  # odd sizes
]


def _permute_model(shape, dims, seed, dense=True):
    import tensorflow as tf

    L = tf.keras.layers
    layers = ([L.Dense(shape[-1])] if dense else []) + [L.Permute(dims)]
    return int8_tflite(keras_model(layers, shape, seed=seed), shape, seed=seed)


def _program(tflite, tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(tflite)
    return compile_model(path)


@pytest.mark.parametrize("shape,dims", PERMUTES)
def test_permute(tmp_path, shape, dims):
    tflite = _permute_model(shape, dims, seed=len(shape) + sum(dims))
    assert op_kinds(tflite, tmp_path)[-1] == "TRANSPOSE"
    layer = _program(tflite, tmp_path).layers[-1]
    assert layer.kernel == "tg_transpose_s8" and not layer.alias
    assert_bit_exact(tflite, tmp_path, count=6)


@pytest.mark.parametrize("shape,dims", [((3, 4, 5), (3, 1, 2)), ((2, 3, 4, 5), (4, 2, 3, 1))])
def test_permute_16x8(tmp_path, shape, dims):
    import tensorflow as tf

    model = keras_model([tf.keras.layers.Dense(shape[-1]), tf.keras.layers.Permute(dims)], shape, seed=len(shape))
    tflite = int16_tflite(model, shape, seed=len(shape))
    assert _program(tflite, tmp_path).layers[-1].kernel == "tg_transpose_s16"
    assert_bit_exact(tflite, tmp_path, count=6)


@pytest.mark.parametrize("shape,perm", [((1, 3, 8, 8), (0, 2, 3, 1)), ((2, 5, 3), (2, 0, 1))])
def test_float32(tmp_path, shape, perm):
    """A float model's layout change (a PyTorch export's NCHW → NHWC), between float operators so it is not the
    input or output copy."""
    import tensorflow as tf

    result = assert_float_function_exact(lambda x: tf.nn.relu(tf.transpose(tf.abs(x) - 0.5, perm)), [shape],
                                         tmp_path, kinds=("TRANSPOSE",))
    assert result.outputs.dtype == np.float32


def test_moving_only_size_1_axes_is_an_alias(tmp_path):
    """[1,6,1] -> [1,1,6] keeps every byte in place (the converter writes a RESHAPE for it, other tools may
    not): between two operators the output aliases the input, from input to output it is one copy."""
    m = SchemaModel("alias")
    x = m.tensor([1, 6, 1], scale=0.05, zero_point=2)
    h = m.tensor([1, 6, 1], scale=0.05, zero_point=2)
    m.op("RELU6", [x], [h])
    p = m.tensor([3], "int32", data=np.array([0, 2, 1], np.int32))
    t = m.tensor([1, 1, 6], scale=0.05, zero_point=2)
    m.op("TRANSPOSE", [h, p], [t])
    y = m.tensor([1, 1, 6], scale=0.05, zero_point=2)
    m.op("RELU6", [t], [y])
    chained = m.finish([x], [y])
    assert _program(chained, tmp_path).layers[1].alias
    assert_bit_exact(chained, tmp_path, count=6)
    alone = _schema_transpose([1, 6, 1], [0, 2, 1], [1, 1, 6])
    copy = _program(alone, tmp_path).layers[0]  # the memory pass turned the alias into RESHAPE's copy
    assert (copy.alias, copy.kernel, copy.template) == (False, "memcpy", "reshape/reshape.c.j2")
    assert_bit_exact(alone, tmp_path, count=6)


@pytest.mark.parametrize("x_shape,perm,dims,strides", [
    ([2, 3, 4, 5], [0, 3, 1, 2], (1, 1, 2, 5, 12), (0, 0, 60, 1, 5)),  # h and w stay adjacent: one axis
    ([1, 3, 4, 5], [0, 3, 1, 2], (1, 1, 1, 5, 12), (0, 0, 0, 1, 5)),  # the batch of 1 dropped
    ([2, 1, 4, 3], [0, 3, 1, 2], (1, 1, 2, 3, 4), (0, 0, 12, 1, 3)),
])
def test_axes_the_output_keeps_together_merge(tmp_path, x_shape, perm, dims, strides):
    program = _program(_schema_transpose(x_shape, perm, [x_shape[a] for a in perm]), tmp_path)
    p = program.layers[0].params
    assert (p.dims, p.strides, p.offset) == (dims, strides, 0)


def _schema_transpose(x_shape, perm, y_shape, const_input=False):
    """[x] → TRANSPOSE(perm) → y, or with const_input a constant transposed and added to the input."""
    m = SchemaModel("transpose")
    rng = np.random.default_rng(0)
    data = rng.integers(-128, 128, x_shape).astype(np.int8) if const_input else None
    x = m.tensor(x_shape, scale=0.05, zero_point=2, data=data)
    p = m.tensor([len(perm)], "int32", data=np.array(perm, np.int32))
    y = m.tensor(y_shape, scale=0.05, zero_point=2)
    m.op("TRANSPOSE", [x, p], [y])
    if not const_input:
        return m.finish([x], [y])
    a = m.tensor(y_shape, scale=0.05, zero_point=2)
    s = m.tensor(y_shape, scale=0.1, zero_point=-3)
    m.op("ADD", [a, y], [s])
    return m.finish([a], [s])


def test_transpose_of_a_constant_folds(tmp_path):
    tflite = _schema_transpose([2, 3, 4], [2, 0, 1], [4, 2, 3], const_input=True)
    program = _program(tflite, tmp_path)
    assert [layer.op.kind for layer in program.layers] == ["ADD"]
    assert_bit_exact(tflite, tmp_path, count=6)


@pytest.mark.parametrize("x_shape,perm,y_shape,message", [
    ([1, 2, 1, 2, 1, 2], [5, 4, 3, 2, 1, 0], [2, 1, 2, 1, 2, 1], "TFLite Micro transposes ranks 1 to 5"),
    ([2, 3, 4], [0, 0, 1], [2, 2, 3], r"by \[0, 0, 1\], which is not a permutation"),
    ([2, 3, 4], [0, 2], [2, 4], "which is not a permutation"),
    ([2, 3, 4], [0, 2, 1], [2, 3, 4], r"transposes \[2, 3, 4\] by \[0, 2, 1\] into \[2, 3, 4\]"),
])
def test_refused(tmp_path, x_shape, perm, y_shape, message):
    with pytest.raises(TinygenError, match=message):
        _program(_schema_transpose(x_shape, perm, y_shape), tmp_path)
