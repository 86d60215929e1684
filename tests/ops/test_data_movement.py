"""SPLIT, SPLIT_V, UNPACK, REVERSE_V2, DEPTH_TO_SPACE, SPACE_TO_DEPTH, RESIZE_*, GATHER (int8): TensorFlow's own
ops converted with int8 quantization, over axes, ranks, batches and block sizes, bit-exact with TFLM; the walks
they share with TRANSPOSE (tg_transpose_s8); the copies on int16 and float32 as TFLM types them (schema-built);
refusals name the operator."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, op_kinds
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.errors import TinygenError


def _check(tmp_path, fn, shape, seed, kinds):
    import tensorflow as tf

    model = keras_model([tf.keras.layers.Dense(shape[-1]), tf.keras.layers.Lambda(fn)], shape, seed=seed)
    tflite = int8_tflite(model, shape, seed=seed)
    found = op_kinds(tflite, tmp_path)
    assert set(kinds) <= set(found), found
    assert_bit_exact(tflite, tmp_path, count=6, seed=seed)


@pytest.mark.parametrize("shape,parts,axis", [((4, 6), 3, -1), ((4, 6, 2), 2, 1), ((6, 3), 3, 1)])
def test_split(tmp_path, shape, parts, axis):
    import tensorflow as tf

    _check(tmp_path, lambda t: tf.concat(tf.split(t, parts, axis=axis)[::-1], axis=axis), shape, parts,
           ["SPLIT", "CONCATENATION"])


def test_split_v(tmp_path):
    import tensorflow as tf

    _check(tmp_path, lambda t: tf.concat(tf.split(t, [1, 4, 2], axis=2)[::-1], axis=2), (3, 7), 5,
           ["SPLIT_V", "CONCATENATION"])


@pytest.mark.parametrize("shape,axis", [((3, 4), 1), ((3, 4, 2), 2), ((2, 5), -1)])
def test_unpack(tmp_path, shape, axis):
    import tensorflow as tf

    _check(tmp_path, lambda t: tf.concat(tf.unstack(t, axis=axis)[::-1], axis=-1), shape, len(shape),
           ["UNPACK", "CONCATENATION"])


@pytest.mark.parametrize("shape,axes", [((4, 6), [1]), ((3, 4, 5), [1, 2]), ((3, 4, 5), [-1]), ((2, 3, 4, 2), [0])])
def test_reverse(tmp_path, shape, axes):
    import tensorflow as tf

    _check(tmp_path, lambda t: tf.reverse(t, axes), shape, len(axes) + len(shape), ["REVERSE_V2"])


@pytest.mark.parametrize("shape,block", [((2, 3, 8), 2), ((3, 3, 18), 3), ((1, 2, 4), 2)])
def test_depth_to_space(tmp_path, shape, block):
    import tensorflow as tf

    _check(tmp_path, lambda t: tf.nn.depth_to_space(t, block), shape, block, ["DEPTH_TO_SPACE"])


@pytest.mark.parametrize("shape,block", [((4, 6, 2), 2), ((6, 3, 3), 3), ((2, 2, 5), 2)])
def test_space_to_depth(tmp_path, shape, block):
    import tensorflow as tf

    _check(tmp_path, lambda t: tf.nn.space_to_depth(t, block), shape, block, ["SPACE_TO_DEPTH"])


def _program(tflite, tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(tflite)
    return compile_model(path)


def test_depth_to_space_walks_four_axes(tmp_path):
    """(b, y / s, y % s, x / s, x % s, c): the batch merges with the input rows, x % s with the channels."""
    m = SchemaModel("d2s")
    x = m.tensor([2, 2, 3, 8], scale=0.05, zero_point=-1)
    y = m.tensor([2, 4, 6, 2], scale=0.05, zero_point=-1)
    m.op("DEPTH_TO_SPACE", [x], [y], block_size=2)
    tflite = m.finish([x], [y])
    p = _program(tflite, tmp_path).layers[0].params
    assert (p.dims, p.strides) == ((1, 4, 2, 3, 4), (0, 24, 4, 8, 1))
    assert_bit_exact(tflite, tmp_path, count=4)


def test_reversing_size_1_axes_is_an_alias(tmp_path):
    m = SchemaModel("rev")
    x = m.tensor([1, 5, 1], scale=0.05, zero_point=0)
    h = m.tensor([1, 5, 1], scale=0.05, zero_point=0)
    m.op("RELU", [x], [h])
    axes = m.tensor([1], "int32", data=np.array([2], np.int32))
    t = m.tensor([1, 5, 1], scale=0.05, zero_point=0)
    m.op("REVERSE_V2", [h, axes], [t])
    y = m.tensor([1, 5, 1], scale=0.05, zero_point=0)
    m.op("RELU", [t], [y])
    tflite = m.finish([x], [y])
    assert _program(tflite, tmp_path).layers[1].alias
    assert_bit_exact(tflite, tmp_path, count=4)


def test_refusals(tmp_path):
    m = SchemaModel("bad")
    x = m.tensor([2, 3, 4], scale=0.05, zero_point=0)
    axes = m.tensor([2], "int32", data=np.array([0, 2], np.int32))
    y = m.tensor([2, 3, 4], scale=0.05, zero_point=0)
    m.op("REVERSE_V2", [x, axes], [y])
    with pytest.raises(TinygenError, match=r"REVERSE_V2 \(operator 0\) reverses axes \[0, 2\], which are not "
                                           "consecutive"):
        _program(m.finish([x], [y]), tmp_path)
    m = SchemaModel("bad")
    x = m.tensor([1, 4, 6], scale=0.05, zero_point=0)
    axis = m.tensor([1], "int32", data=np.array([2], np.int32))
    parts = [m.tensor([1, 4, 2], scale=0.05, zero_point=0) for _ in range(2)]
    m.op("SPLIT", [axis, x], parts, num_splits=2)
    with pytest.raises(TinygenError, match=r"SPLIT \(operator 0\) splits \[1, 4, 6\] along axis 2"):
        _program(m.finish([x], parts[:1]), tmp_path)


@pytest.mark.parametrize("shape,size,align,half", [
    ((3, 4, 5), (6, 8), False, False),  # 2x upsampling
    ((5, 7, 2), (3, 4), False, True),  # down, half-pixel centers
    ((4, 5, 3), (7, 9), True, False),  # align corners: rounded
    ((2, 3, 4), (5, 5), True, True),
    ((6, 6, 1), (6, 6), False, False),  # identity
])
def test_resize_nearest_neighbor(tmp_path, shape, size, align, half):
    import tensorflow as tf

    _check(tmp_path, lambda t: tf.compat.v1.image.resize_nearest_neighbor(t, size, align_corners=align,
                                                                         half_pixel_centers=half),
           shape, sum(size), ["RESIZE_NEAREST_NEIGHBOR"])


def test_nearest_neighbour_tables_match_the_reference_arithmetic():
    """Spot values of GetNearestNeighbor (float32 scale 4/6, 5/3 and (4-1)/(7-1), offset 1/2 with half pixels)."""
    from tinygen.ops.resize_nearest_neighbor import nearest

    assert nearest(6, 4, False, False).tolist() == [0, 0, 1, 2, 2, 3]
    assert nearest(3, 5, False, True).tolist() == [0, 2, 4]
    assert nearest(7, 4, True, False).tolist() == [0, 1, 1, 2, 2, 3, 3]


@pytest.mark.parametrize("shape,size,align,half", [
    ((3, 4, 5), (6, 8), False, False),
    ((3, 4, 5), (6, 8), False, True),  # TF2's default: weights below 0 at the borders
    ((5, 7, 2), (3, 4), False, True),  # down
    ((4, 5, 3), (7, 9), True, False),
    ((2, 3, 4), (9, 2), False, False),
])
def test_resize_bilinear(tmp_path, shape, size, align, half):
    import tensorflow as tf

    _check(tmp_path, lambda t: tf.compat.v1.image.resize_bilinear(t, size, align_corners=align,
                                                                 half_pixel_centers=half),
           shape, sum(size) + 1, ["RESIZE_BILINEAR"])


def test_bilinear_tables_match_the_reference_arithmetic():
    """Upsampling 2x with half-pixel centers: scale 512, row 0 reads row 0 with weight -256 (truncation toward
    zero of -256 / 1024), the last row clamps to the last input row."""
    from tinygen.ops.resize_bilinear import interpolation

    assert interpolation(4, 2, False, True).tolist() == [[0, 0, -256], [0, 1, 256], [0, 1, 768], [1, 1, 256]]


@pytest.mark.parametrize("shape,indices,axis", [
    ((4, 6), [5, 0, 0, 3], -1),  # channels, repeated
    ((5, 3, 2), [[4, 1], [0, 0]], 1),  # a matrix of indices: the output gains an axis
    ((3, 4), [2], 1),
])
def test_gather(tmp_path, shape, indices, axis):
    import tensorflow as tf

    _check(tmp_path, lambda t: tf.gather(t, tf.constant(indices, tf.int32), axis=axis), shape, len(shape),
           ["GATHER"])


def test_gather_outside_the_axis_is_refused(tmp_path):
    m = SchemaModel("bad")
    x = m.tensor([1, 4], scale=0.05, zero_point=0)
    c = m.tensor([2], "int32", data=np.array([1, 4], np.int32))
    y = m.tensor([1, 2], scale=0.05, zero_point=0)
    m.op("GATHER", [x, c], [y], axis=1)
    with pytest.raises(TinygenError, match=r"GATHER \(operator 0\) gathers indices outside axis 1"):
        _program(m.finish([x], [y]), tmp_path)


def _typed(dtype):
    """A tensor factory of `dtype`: int16 symmetric (16x8), float32 unquantized."""
    def tensor(m, shape, data=None):
        if dtype == "float32":
            return m.tensor(shape, "float32", data=data)
        return m.tensor(shape, dtype, scale=0.002, zero_point=0, data=data)
    return tensor


def _axis(m, value):
    return m.tensor([1], "int32", data=np.array([value], np.int32))


def _copy_model(kind, dtype) -> bytes:
    """One `kind` on a [2, 4, 6, 4] `dtype` input, its outputs joined back by CONCATENATION where it has several."""
    t, m = _typed(dtype), SchemaModel(f"{kind.lower()}_{dtype}")
    x = t(m, [2, 4, 6, 4])
    if kind == "SPLIT":
        parts = [t(m, [2, 4, 2, 4]) for _ in range(3)]
        m.op("SPLIT", [_axis(m, 2), x], parts, num_splits=3)
    elif kind == "SPLIT_V":
        sizes = m.tensor([2], "int32", data=np.array([1, -1], np.int32))
        parts = [t(m, [2, 1, 6, 4]), t(m, [2, 3, 6, 4])]
        m.op("SPLIT_V", [x, sizes, _axis(m, -3)], parts, num_splits=2)
    elif kind == "UNPACK":
        parts = [t(m, [2, 4, 4]) for _ in range(6)]
        m.op("UNPACK", [x], parts[::-1], num=6, axis=2)
    else:
        if kind == "SLICE":
            y = t(m, [1, 3, 2, 4])
            begin = m.tensor([4], "int32", data=np.array([1, 0, 3, 0], np.int32))
            size = m.tensor([4], "int32", data=np.array([-1, 3, 2, 4], np.int32))
            m.op("SLICE", [x, begin, size], [y])
        elif kind == "STRIDED_SLICE":
            y = t(m, [2, 2, 3, 4])
            bounds = [m.tensor([4], "int32", data=np.array(v, np.int32))
                      for v in ([0, 3, 0, 0], [2, 0, 6, 4], [1, -2, 2, 1])]
            m.op("STRIDED_SLICE", [x, *bounds], [y])
        elif kind == "REVERSE_V2":
            y = t(m, [2, 4, 6, 4])
            m.op("REVERSE_V2", [x, _axis(m, 1)], [y])
        elif kind == "DEPTH_TO_SPACE":
            y = t(m, [2, 8, 12, 1])
            m.op("DEPTH_TO_SPACE", [x], [y], block_size=2)
        elif kind == "SPACE_TO_DEPTH":
            y = t(m, [2, 2, 3, 16])
            m.op("SPACE_TO_DEPTH", [x], [y], block_size=2)
        elif kind == "GATHER":
            y = t(m, [2, 5, 6, 4])
            index = m.tensor([5], "int32", data=np.array([3, 0, 0, 2, 1], np.int32))
            m.op("GATHER", [x, index], [y], axis=1)
        elif kind == "MIRROR_PAD":
            y = t(m, [2, 7, 7, 4])
            paddings = m.tensor([4, 2], "int32", data=np.array([[0, 0], [2, 1], [1, 0], [0, 0]], np.int32))
            m.op("MIRROR_PAD", [x, paddings], [y], mode=0)
        elif kind == "RESIZE_NEAREST_NEIGHBOR":
            y = t(m, [2, 7, 9, 4])
            size = m.tensor([2], "int32", data=np.array([7, 9], np.int32))
            m.op("RESIZE_NEAREST_NEIGHBOR", [x, size], [y], half_pixel_centers=True)
        elif kind == "EXPAND_DIMS":  # between two copies: an alias
            h, e, y = t(m, [2, 4, 6, 4]), t(m, [2, 4, 1, 6, 4]), t(m, [2, 4, 1, 6, 4])
            m.op("REVERSE_V2", [x, _axis(m, 0)], [h])
            m.op("EXPAND_DIMS", [h, _axis(m, -3)], [e])
            m.op("REVERSE_V2", [e, _axis(m, 1)], [y])
        elif kind == "SQUEEZE":
            y = t(m, [2, 4, 6, 4])
            e = t(m, [2, 1, 4, 6, 1, 4])
            m.op("RESHAPE", [x], [e], new_shape=[2, 1, 4, 6, 1, 4])
            m.op("SQUEEZE", [e], [y], squeeze_dims=[1, -2])
        return m.finish([x], [y])
    y = t(m, [2, 24, 4] if kind == "UNPACK" else [2, 4, 6, 4])
    m.op("CONCATENATION", parts, [y], axis={"SPLIT": 2, "SPLIT_V": 1, "UNPACK": 1}[kind])
    return m.finish([x], [y])


COPIES = ["SLICE", "STRIDED_SLICE", "REVERSE_V2", "SPLIT", "SPLIT_V", "UNPACK", "EXPAND_DIMS", "SQUEEZE", "GATHER",
          "MIRROR_PAD", "DEPTH_TO_SPACE", "SPACE_TO_DEPTH", "RESIZE_NEAREST_NEIGHBOR"]
INT8_ONLY = ("GATHER", "MIRROR_PAD", "DEPTH_TO_SPACE", "SPACE_TO_DEPTH")  # TFLM's kernels: float32 and int8


@pytest.mark.parametrize("dtype", ["int16", "float32"])
@pytest.mark.parametrize("kind", COPIES)
def test_copies_of_every_type(tmp_path, kind, dtype):
    """The operators that copy elements run on TFLM's other types too (int16, float32), through the same walks;
    int16 where TFLM has no int16 kernel is refused by name."""
    if dtype == "int16" and kind in INT8_ONLY:
        with pytest.raises(TinygenError, match=f"{kind} \\(operator 0\\) has int16 tensor"):
            _program(_copy_model(kind, dtype), tmp_path)
        return
    result = assert_bit_exact(_copy_model(kind, dtype), tmp_path, count=3)
    assert result.outputs.dtype == np.dtype(dtype)
