"""EMBEDDING_LOOKUP (int32 ids, int8 or float32 table → its type): hand-built models (TensorFlow's converter writes GATHER for
tf.nn.embedding_lookup) with constant ids, and run-time ids as a model input into a constant table, bit-exact
with TFLM; an id outside the table fails in both; refusals (the hybrid int8 → float32 lookup, constant ids
outside the table) name the operator."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, need_target
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.emulation import emulate
from tinygen.errors import TinygenError

TABLE = np.arange(-60, 60, 2, dtype=np.int8).reshape(10, 2, 3)


def _program(tflite, tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(tflite)
    return compile_model(path)


def _lookup(ids=None, n=4, out_dtype="int8", table_dtype="int8", out_zero_point=1, feed=False):
    """Ids (constant, or a model input) into the constant table TABLE; with feed, an activation table instead."""
    m = SchemaModel()
    inputs = []
    if feed:
        t = m.tensor(list(TABLE.shape), table_dtype, scale=0.05, zero_point=1)
        inputs.append(t)
    else:
        t = m.tensor(list(TABLE.shape), table_dtype, scale=0.05, zero_point=1, data=TABLE.astype(table_dtype))
    i = m.tensor([n], "int32", data=None if ids is None else np.array(ids, np.int32))
    if ids is None:
        inputs.append(i)
    y = m.tensor([n, 2, 3], out_dtype, scale=0.05, zero_point=out_zero_point)
    m.op("EMBEDDING_LOOKUP", [i, t], [y])
    return m.finish(inputs, [y])


def test_constant_ids(tmp_path):
    assert_bit_exact(_lookup([9, 0, 4, 4], feed=True), tmp_path, count=4)


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_run_time_ids(tmp_path, target):
    need_target(target)
    path = tmp_path / "ids.tflite"
    path.write_bytes(_lookup())
    ids = np.random.default_rng(1).integers(0, 10, (8, 4)).astype(np.int32)
    ids[0] = [0, 9, 9, 3]
    result = emulate(path, inputs=ids, backend="portable", target=target)
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert np.array_equal(result.outputs[0], TABLE[[0, 9, 9, 3]])


def test_run_time_id_outside_fails_as_in_tflm(tmp_path):
    from tinygen.oracle import reference_outputs

    tflite = _lookup()
    ids = np.array([[1, 2, 10, 0]], np.int32)
    with pytest.raises(TinygenError, match="TensorFlow Lite Micro, the reference tinygen matches, cannot run"):
        reference_outputs(tflite, ids)
    path = tmp_path / "ids.tflite"
    path.write_bytes(tflite)
    with pytest.raises(RuntimeError, match=r"generated program failed"):
        emulate(path, inputs=ids, backend="portable")


def test_constant_lookup_folds(tmp_path):
    m = SchemaModel()
    x = m.tensor([2, 2, 3], scale=0.05, zero_point=1)
    t = m.tensor(list(TABLE.shape), scale=0.05, zero_point=1, data=TABLE)
    i = m.tensor([2], "int32", data=np.array([7, 1], np.int32))
    g = m.tensor([2, 2, 3], scale=0.05, zero_point=1)
    m.op("EMBEDDING_LOOKUP", [i, t], [g])
    y = m.tensor([2, 2, 3], scale=0.1, zero_point=0)
    m.op("ADD", [x, g], [y])
    tflite = m.finish([x], [y])
    assert [layer.op.kind for layer in _program(tflite, tmp_path).layers] == ["ADD"]
    assert_bit_exact(tflite, tmp_path, count=4)


@pytest.mark.parametrize("ids", [[3, 0, 9, 3], None])
def test_float32_table(tmp_path, ids):
    """A float32 table (TFLM's EvalSimple copies its rows as they are): constant ids into a table that is a
    model input (tg_gather5_f32), or ids that are a model input into a constant table (tg_gather_nd_f32)."""
    rng = np.random.default_rng(1)
    m = SchemaModel()
    values = None if ids is not None else rng.standard_normal(TABLE.shape).astype(np.float32)
    table = m.tensor(list(TABLE.shape), "float32", data=values)
    i = m.tensor([4], "int32", data=None if ids is None else np.array(ids, np.int32))
    y = m.tensor([4, 2, 3], "float32")
    m.op("EMBEDDING_LOOKUP", [i, table], [y])
    if ids is not None:
        tflite, inputs = m.finish([table], [y]), rng.standard_normal((3, *TABLE.shape)).astype(np.float32)
    else:
        tflite, inputs = m.finish([i], [y]), rng.integers(0, 10, (5, 4)).astype(np.int32)
    kernel = "tg_gather5_f32" if ids is not None else "tg_gather_nd_f32"
    assert [layer.kernel for layer in _program(tflite, tmp_path).layers] == [kernel]
    path = tmp_path / "f.tflite"
    path.write_bytes(tflite)
    result = emulate(path, inputs=inputs)
    assert result.outputs.dtype == np.float32
    assert np.array_equal(result.outputs.view(np.uint32), result.expected.view(np.uint32)), result.summary()


def test_refusals(tmp_path):
    # TFLM's hybrid path (int8 table, float32 output, a dequantization)
    with pytest.raises(TinygenError, match=r"EMBEDDING_LOOKUP \(operator 0\) reads a int8 table into float32"):
        _program(_lookup(out_dtype="float32"), tmp_path)
    with pytest.raises(TinygenError, match=r"EMBEDDING_LOOKUP \(operator 0\) looks up id 10 of a table of 10 rows"):
        _program(_lookup([0, 10, 1, 2], feed=True), tmp_path)
    with pytest.raises(TinygenError, match=r"EMBEDDING_LOOKUP \(operator 0\) reads a int16 table into int16"):
        _program(_lookup(table_dtype="int16", out_dtype="int16"), tmp_path)
    with pytest.raises(TinygenError, match=r"EMBEDDING_LOOKUP \(operator 0\) reads 't0' .* quantized unlike"):
        _program(_lookup(out_zero_point=0), tmp_path)
