"""STRIDED_SLICE and SLICE (int8; STRIDED_SLICE also int16, 16x8): Keras slicing converted by TensorFlow, and schema-built slices sweeping ranks 1-4,
negative and large strides, negative and out-of-range bounds, begin/end/shrink masks and the masks TFLM ignores;
bit-exact with TFLM. Refusals name the operator."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, op_kinds
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.errors import TinygenError
from tinygen.ops.strided_slice import window


def _keras(tmp_path, fn, shape, seed, kind, activations="int8", target="host"):
    import tensorflow as tf

    tflite = int8_tflite(keras_model([tf.keras.layers.Dense(shape[-1]), tf.keras.layers.Lambda(fn)], shape, seed=seed),
                         shape, seed=seed, activations=activations)
    assert kind in op_kinds(tflite, tmp_path)
    return assert_bit_exact(tflite, tmp_path, count=6 if target == "host" else 2, target=target)


@pytest.mark.parametrize("index", [
    (slice(None), slice(1, None, 2)),  # every other row
    (slice(None), slice(None, None, -1), slice(1, 3)),  # rows backwards
    (slice(None), 2, slice(None, None, 3)),  # a shrunk axis
    (slice(None), slice(-3, -1), slice(None), slice(2, None)),  # negative bounds; channels from 2 on
])
def test_keras_slicing(tmp_path, index):
    _keras(tmp_path, lambda t: t[index], (5, 4, 6), seed=len(index), kind="STRIDED_SLICE")


@pytest.mark.parametrize("index", [
    (slice(None), slice(1, None, 2)),
    (slice(None), slice(None, None, -1), slice(1, 3)),
    (slice(None), 2, slice(None, None, 3)),
])
def test_keras_slicing_16x8(tmp_path, index):
    result = _keras(tmp_path, lambda t: t[index], (5, 4, 6), seed=len(index) + 10, kind="STRIDED_SLICE",
                    activations="int16")
    assert result.outputs.dtype == np.int16


def test_keras_slicing_16x8_cortex_m4(tmp_path):
    _keras(tmp_path, lambda t: t[:, ::-2, 1:], (5, 4, 6), seed=20, kind="STRIDED_SLICE", activations="int16",
           target="cortex-m4")


def test_keras_tf_slice(tmp_path):
    import tensorflow as tf

    _keras(tmp_path, lambda t: tf.slice(t, [0, 1, 0, 2], [-1, 3, 2, 3]), (5, 4, 6), seed=3, kind="SLICE")


def _schema_strided_slice(shape, begin, end, strides, dtype="int8", **masks) -> bytes:
    w = window(shape, begin, end, strides, masks)
    m = SchemaModel("strided_slice")
    q = {"scale": 0.05, "zero_point": -4} if dtype == "int8" else {"scale": 0.0005}
    x = m.tensor(shape, dtype, **q)
    h = m.tensor(shape, dtype, **q)
    m.op("RELU" if dtype == "int8" else "QUANTIZE", [x], [h])  # the slice reads an arena tensor, not the input
    args = [m.tensor([len(shape)], "int32", data=np.array(v, np.int32)) for v in (begin, end, strides)]
    y = m.tensor(w.shape, dtype, **q)
    m.op("STRIDED_SLICE", [h, *args], [y], **masks)
    return m.finish([x], [y])


def _random_slice(rng):
    rank = int(rng.integers(1, 5))
    shape = [int(d) for d in rng.integers(1, 7, rank)]
    while True:
        begin = [int(v) for v in rng.integers(-8, 9, rank)]
        end = [int(v) for v in rng.integers(-8, 9, rank)]
        strides = [int(v) for v in rng.choice([-3, -2, -1, 1, 1, 2, 3, 7], rank)]
        masks = {name: int(rng.integers(0, 1 << rank)) for name in ("begin_mask", "end_mask")}
        masks["shrink_axis_mask"] = int(rng.integers(0, 1 << rank)) & int(rng.integers(0, 1 << rank))
        w = window(shape, begin, end, strides, masks)
        if all(c > 0 for c in w.counts):  # TFLM and tinygen refuse empty tensors alike
            return shape, begin, end, strides, masks


@pytest.mark.parametrize("seed", range(12))
def test_random_slices(tmp_path, seed):
    shape, begin, end, strides, masks = _random_slice(np.random.default_rng(seed))
    tflite = _schema_strided_slice(shape, begin, end, strides, **masks)
    assert_bit_exact(tflite, tmp_path, count=4, seed=seed)


@pytest.mark.parametrize("seed", range(100, 106))
def test_random_slices_int16(tmp_path, seed):
    shape, begin, end, strides, masks = _random_slice(np.random.default_rng(seed))
    tflite = _schema_strided_slice(shape, begin, end, strides, dtype="int16", **masks)
    result = assert_bit_exact(tflite, tmp_path, count=4, seed=seed)
    assert result.outputs.dtype == np.int16


def test_masks_tflm_ignores_are_ignored(tmp_path):
    """TFLM's kernel leaves ellipsis_mask and new_axis_mask 0 whatever the file says: so does tinygen."""
    tflite = _schema_strided_slice([2, 5, 3], [0, 1, 0], [2, 4, 3], [1, 1, 1], ellipsis_mask=2, new_axis_mask=1)
    assert_bit_exact(tflite, tmp_path, count=4)


def _program(tflite, tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(tflite)
    return compile_model(path)


def test_walk_is_merged_and_starts_at_the_slice(tmp_path):
    """[2, 6, 4, 5][:, 1:5, :, 2:4]: rows and columns of a channel run merge into one strided axis."""
    tflite = _schema_strided_slice([2, 6, 4, 5], [0, 1, 0, 2], [2, 5, 4, 4], [1, 1, 1, 1])
    p = _program(tflite, tmp_path).layers[1].params
    assert (p.dims, p.strides, p.offset) == ((1, 1, 2, 16, 2), (0, 0, 120, 5, 1), 22)


def test_whole_input_is_an_alias(tmp_path):
    m = SchemaModel("identity")
    x = m.tensor([3, 4], scale=0.05, zero_point=0)
    h = m.tensor([3, 4], scale=0.05, zero_point=0)
    m.op("RELU", [x], [h])
    args = [m.tensor([2], "int32", data=np.array(v, np.int32)) for v in ([0, 0], [3, 4], [1, 1])]
    t = m.tensor([3, 4], scale=0.05, zero_point=0)
    m.op("STRIDED_SLICE", [h, *args], [t])
    y = m.tensor([3, 4], scale=0.05, zero_point=0)
    m.op("RELU", [t], [y])
    tflite = m.finish([x], [y])
    assert _program(tflite, tmp_path).layers[1].alias
    assert_bit_exact(tflite, tmp_path, count=4)


@pytest.mark.parametrize("shape,begin,end,strides,out,message", [
    ([4, 5], [0, 0], [4, 5], [1, 0], [4, 5], "stride value has to be non-zero"),
    ([4, 5], [0, 0], [4, 5], [1, 2], [4, 5], r"slices \[4, 5\] into \[4, 3\], but its output is \[4, 5\]"),
    ([4, 5], [0], [4], [1], [4, 5], "with 1 begin, 1 end and 1 stride values"),
    ([1, 2, 2, 2, 2], [0] * 5, [1, 2, 2, 2, 2], [1] * 5, [1, 2, 2, 2, 2], "TFLite Micro slices ranks up to 4"),
])
def test_refused(tmp_path, shape, begin, end, strides, out, message):
    m = SchemaModel("bad")
    x = m.tensor(shape, scale=0.05, zero_point=0)
    args = [m.tensor([len(v)], "int32", data=np.array(v, np.int32)) for v in (begin, end, strides)]
    y = m.tensor(out, scale=0.05, zero_point=0)
    m.op("STRIDED_SLICE", [x, *args], [y])
    with pytest.raises(TinygenError, match=r"STRIDED_SLICE \(operator 0\).*" + message):
        _program(m.finish([x], [y]), tmp_path)


def test_slice_out_of_range_is_refused(tmp_path):
    m = SchemaModel("bad")
    x = m.tensor([4, 5], scale=0.05, zero_point=0)
    begin = m.tensor([2], "int32", data=np.array([2, 0], np.int32))
    size = m.tensor([2], "int32", data=np.array([3, -1], np.int32))
    y = m.tensor([3, 5], scale=0.05, zero_point=0)
    m.op("SLICE", [x, begin, size], [y])
    with pytest.raises(TinygenError, match=r"SLICE \(operator 0\) takes 3 elements from 2 on axis 0"):
        _program(m.finish([x], [y]), tmp_path)
