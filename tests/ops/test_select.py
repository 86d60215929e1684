"""SELECT_V2 (int8, int16, float32 values): condition ? x : y over broadcast operands (up to rank 5), a bool
condition computed or given as a model input; TensorFlow's tf.where models; bit-exact with TFLM. Values and
output of different quantizations, other value types and SELECT (which TFLM does not register) are refused."""
import functools

import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, edit_tflite, int8_tflite, op_kinds
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.errors import TinygenError


def _model(c_shape, x_shape, y_shape, dtype="int8", quants=((0.05, -4),) * 3, y_const=False) -> bytes:
    """SELECT_V2(c, x, y): c and x model inputs, y an input or a random constant."""
    rng = np.random.default_rng(len(c_shape) + len(y_shape))
    m = SchemaModel("select")
    c = m.tensor(c_shape, "bool")
    x = m.tensor(x_shape, dtype, *quants[0])
    info = np.iinfo(dtype) if dtype in ("int8", "int16") else None
    data = rng.integers(info.min, info.max + 1, y_shape).astype(dtype) if y_const and info else None
    if y_const and dtype == "float32":
        data = rng.standard_normal(y_shape).astype(np.float32)
    y = m.tensor(y_shape, dtype, *quants[1], data=data)
    out = m.tensor(np.broadcast_shapes(tuple(c_shape), tuple(x_shape), tuple(y_shape)), dtype, *quants[2])
    m.op("SELECT_V2", [c, x, y], [out])
    return m.finish([c, x] if y_const else [c, x, y], [out])


SHAPES = [([2, 3, 8], [2, 3, 8], [2, 3, 8]), ([1, 4, 1, 3], [1, 4, 5, 3], [3]), ([4, 1], [2, 1, 5], []),
          ([5], [3, 1], [3, 5]), ([2, 3, 1, 1, 4], [2, 3, 5, 6, 4], [1]), ([2, 1, 3, 1, 4], [2, 5, 3, 6, 4], [4])]


@pytest.mark.parametrize("dtype", ["int8", "int16", "float32"])
@pytest.mark.parametrize("shapes", SHAPES, ids=lambda s: "-".join(map(str, (len(t) for t in s))))
def test_broadcast(tmp_path, dtype, shapes):
    q = {"int8": (0.05, -4), "int16": (0.001, 0), "float32": (None, 0)}[dtype]
    # A scalar y is a constant: the oracle's interpreter takes no rank-0 model input.
    result = assert_bit_exact(_model(*shapes, dtype, (q,) * 3, y_const=not shapes[2]), tmp_path, count=6)
    assert result.outputs.dtype == np.dtype(dtype) and len(np.unique(result.outputs)) > 2


def test_constant_values(tmp_path):
    assert_bit_exact(_model([3, 4], [3, 4], [1, 4], y_const=True), tmp_path, count=6)


def test_constant_operands_fold(tmp_path):
    """SELECT_V2 of constants (and the comparison giving its condition) folds; ADD reads the result."""
    m = SchemaModel("folded")
    q = dict(scale=0.05, zero_point=-4)
    a = m.tensor([6], "int32", data=np.arange(6, dtype=np.int32))
    three = m.tensor([], "int32", data=np.array(3, np.int32))
    condition = m.tensor([6], "bool")
    m.op("LESS", [a, three], [condition])
    x = m.tensor([6], **q, data=np.arange(6, dtype=np.int8) * 20)
    s = m.tensor([6], **q)
    m.op("SELECT_V2", [condition, x, m.tensor([], **q, data=np.array(-100, np.int8))], [s])
    inp, y = m.tensor([2, 6], **q), m.tensor([2, 6], scale=0.1, zero_point=0)
    m.op("ADD", [inp, s], [y])
    tflite = m.finish([inp], [y])
    assert_bit_exact(tflite, tmp_path, count=4)
    path = tmp_path / "folded.tflite"
    path.write_bytes(tflite)
    assert [layer.op.kind for layer in compile_model(path).layers] == ["ADD"]


def test_select_in_place(tmp_path):
    """where(x > c, x * c', x): the MUL's result dies at SELECT_V2, whose output takes its memory."""
    m = SchemaModel("inplace")
    q = dict(scale=0.05, zero_point=-4)
    x = m.tensor([2, 16], **q)
    c = m.tensor([16], **q, data=np.arange(-8, 8, dtype=np.int8) * 10)
    half = m.tensor([], scale=0.004, zero_point=-128, data=np.array(-3, np.int8))
    condition, scaled, y = m.tensor([2, 16], "bool"), m.tensor([2, 16], **q), m.tensor([2, 16], **q)
    m.op("GREATER", [x, c], [condition])
    m.op("MUL", [x, half], [scaled])
    m.op("SELECT_V2", [condition, scaled, x], [y])
    relu = m.tensor([2, 16], **q)
    m.op("RELU", [y], [relu])
    tflite = m.finish([x], [relu])
    assert_bit_exact(tflite, tmp_path, count=8)
    path = tmp_path / "inplace.tflite"
    path.write_bytes(tflite)
    layers = {layer.kernel: layer for layer in compile_model(path, backend="portable").layers}
    assert layers["tg_select_s8"].applied_inplace is not None


def as_select_v2(tflite: bytes) -> bytes:
    """The model with its SELECTs relabelled SELECT_V2: the converter writes SELECT for tf.where on operands of
    one shape, which TFLM does not register; on equal shapes the two compute the same."""
    from ai_edge_litert import schema_py_generated as schema

    def edit(model):
        codes = [k for k, code in enumerate(model.operatorCodes) if code.builtinCode == schema.BuiltinOperator.SELECT]
        for k in codes:
            model.operatorCodes[k].builtinCode = model.operatorCodes[k].deprecatedBuiltinCode = \
                schema.BuiltinOperator.SELECT_V2
        for op in model.subgraphs[0].operators:
            if op.opcodeIndex in codes:
                op.builtinOptionsType, op.builtinOptions = schema.BuiltinOptions.SelectV2Options, \
                    schema.SelectV2OptionsT()
    return edit_tflite(tflite, edit)


@functools.lru_cache(maxsize=None)
def _keras(which: str) -> bytes:
    """tf.where models converted with int8 (the 16x8 converter quantizes neither GREATER nor SELECT_V2)."""
    import tensorflow as tf

    x = tf.keras.Input(shape=(4, 6), batch_size=1)
    if which == "max_or_half":  # tf.where(x > y, x, y * 0.5)
        y = tf.keras.Input(shape=(4, 6), batch_size=1)
        out = tf.keras.layers.Lambda(lambda t: tf.where(t[0] > t[1], t[0], t[1] * 0.5))([x, y])
        return int8_tflite(tf.keras.Model([x, y], out), [(4, 6), (4, 6)], seed=1)
    if which == "range":
        out = tf.keras.layers.Lambda(lambda t: tf.where(tf.logical_and(t > 0, t < 1), t, t * 0.25))(x)
    elif which == "row":  # the condition of the first row, broadcast
        out = tf.keras.layers.Lambda(lambda t: tf.where(t[:, :1, :] > 0.2, t, t * 0.5))(x)
    else:  # "scalar": a constant y
        out = tf.keras.layers.Lambda(lambda t: tf.where(t > 0.2, t, 0.0))(x)
    return int8_tflite(tf.keras.Model(x, out), (4, 6), seed=2, calibration_scale=1.0)


@pytest.mark.parametrize("which,kinds", [("max_or_half", ["GREATER", "MUL", "SELECT"]),
                                         ("range", ["GREATER", "LESS", "LOGICAL_AND", "MUL", "SELECT"])])
def test_keras_where(tmp_path, which, kinds):
    tflite = _keras(which)
    assert op_kinds(tflite, tmp_path) == kinds
    result = assert_bit_exact(as_select_v2(tflite), tmp_path, count=20)
    assert len(np.unique(result.outputs)) > 10


@pytest.mark.parametrize("which,kinds", [("row", ["MUL", "STRIDED_SLICE", "GREATER", "SELECT_V2"]),
                                         ("scalar", ["GREATER", "SELECT_V2"])])
def test_keras_where_broadcast(tmp_path, which, kinds):
    """tf.where on operands of different shapes: the converter writes SELECT_V2 itself."""
    tflite = _keras(which)
    assert op_kinds(tflite, tmp_path) == kinds
    result = assert_bit_exact(tflite, tmp_path, count=20)
    assert len(np.unique(result.outputs)) > 10


def test_cross(tmp_path):
    assert_bit_exact(_model([4, 1], [2, 1, 5], [5], "int16", ((0.001, 0),) * 3), tmp_path, count=3,
                     target="cortex-m4")


def test_rank6_broadcast_that_does_not_merge_is_refused(tmp_path):
    """TFLM walks 5 dimensions, as tinygen does once adjacent ones merge: six that do not are refused."""
    path = tmp_path / "m.tflite"
    path.write_bytes(_model([2, 1, 3, 1, 4, 1], [2, 5, 3, 6, 4, 2], [1]))
    with pytest.raises(TinygenError, match=r"SELECT_V2 \(operator 0\) broadcasts .* 6 dimensions that do not merge"):
        compile_model(path)


def test_select_is_refused(tmp_path):
    path = tmp_path / "select.tflite"
    path.write_bytes(_keras("max_or_half"))
    with pytest.raises(TinygenError, match=r"unsupported operators: SELECT \(operator 2\)"):
        compile_model(path)


def test_different_quantizations_are_refused(tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(_model([4], [4], [4], quants=((0.05, -4), (0.05, -4), (0.1, -4))))
    with pytest.raises(TinygenError, match=r"SELECT_V2 \(operator 0\) has values and output of different "
                                           r"quantizations"):
        compile_model(path)


def test_int32_values_are_refused(tmp_path):
    """TFLM selects float32, int8 and int16 only."""
    m = SchemaModel("s32")
    x = m.tensor([4], scale=0.05)
    axis = m.tensor([1], "int32", data=np.array([0], np.int32))
    index = m.tensor([], "int32")
    m.op("ARG_MAX", [x, axis], [index], output_type=2)
    c = m.tensor([], "bool", data=np.array(True))
    other = m.tensor([], "int32", data=np.array(7, np.int32))
    y = m.tensor([], "int32")
    m.op("SELECT_V2", [c, index, other], [y])
    path = tmp_path / "m.tflite"
    path.write_bytes(m.finish([x], [y]))
    with pytest.raises(TinygenError, match=r"SELECT_V2 \(operator 1\) has int32 tensor 't2'"):
        compile_model(path)
