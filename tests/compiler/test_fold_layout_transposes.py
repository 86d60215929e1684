"""passes/fold_layout_transposes: TRANSPOSE → RESHAPE → FULLY_CONNECTED (a PyTorch Flatten after a channels-last
CNN) becomes RESHAPE → FULLY_CONNECTED with permuted weight columns, bit-exact with TFLM running the transpose;
left alone where the transposed bytes are read elsewhere or the sums are float."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, float_tflite, int8_tflite, keras_model, op_kinds
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.emulation import emulate


def _kernels(tflite: bytes, tmp_path, backend: str = "portable") -> list[str]:
    path = tmp_path / "m.tflite"
    path.write_bytes(tflite)
    return [layer.kernel for layer in compile_model(path, backend=backend).layers]


def _flatten_nchw(shape, seed: int, classes: int = 5):
    """Conv2D → Permute to channels-first → Flatten → Dense, as a converted PyTorch classifier ends."""
    import tensorflow as tf

    L = tf.keras.layers
    return keras_model([L.Conv2D(6, 3, padding="same", activation="relu"), L.Permute((3, 1, 2)), L.Flatten(),
                        L.Dense(classes)], shape, seed=seed)


@pytest.mark.parametrize("shape", [(4, 4, 3), (5, 3, 2)])
def test_transpose_before_dense_folds_into_its_columns(tmp_path, shape):
    tflite = int8_tflite(_flatten_nchw(shape, seed=sum(shape)), shape, seed=sum(shape))
    assert "TRANSPOSE" in op_kinds(tflite, tmp_path)
    kernels = _kernels(tflite, tmp_path)
    assert not any(k.startswith("tg_transpose") for k in kernels), kernels
    assert_bit_exact(tflite, tmp_path, count=10)


def test_cmsis_nn_backend_folds_too(tmp_path):
    shape = (4, 4, 3)
    tflite = int8_tflite(_flatten_nchw(shape, seed=3), shape, seed=3)
    assert not any("transpose" in k for k in _kernels(tflite, tmp_path, backend="cmsis-nn"))


def test_transposed_bytes_read_elsewhere_are_kept(tmp_path):
    """The transpose's output is also a model output: the copy must exist, so nothing is folded."""
    rng = np.random.default_rng(4)
    m = SchemaModel("kept")
    x = m.tensor([1, 2, 3, 4], scale=0.05, zero_point=3)
    perm = m.tensor([4], "int32", data=np.array([0, 3, 1, 2], np.int32))
    t = m.tensor([1, 4, 2, 3], scale=0.05, zero_point=3)
    m.op("TRANSPOSE", [x, perm], [t])
    shape = m.tensor([2], "int32", data=np.array([1, 24], np.int32))
    flat = m.tensor([1, 24], scale=0.05, zero_point=3)
    m.op("RESHAPE", [t, shape], [flat])
    w = m.tensor([3, 24], data=rng.integers(-127, 128, (3, 24)).astype(np.int8), scale=0.01)
    y = m.tensor([1, 3], scale=0.1, zero_point=-4)
    m.op("FULLY_CONNECTED", [flat, w, -1], [y])
    tflite = m.finish([x], [t, y])
    assert "tg_transpose_s8" in _kernels(tflite, tmp_path)
    result = emulate(tmp_path / "m.tflite", count=6, backend="portable")
    assert len(result.outputs) == 2 and all(np.array_equal(result.outputs[k], result.expected[k])
                                            for k in result.expected), result.summary()


def test_float_sums_keep_their_order(tmp_path):
    """A float FULLY_CONNECTED adds in column order: permuted columns would round differently, so the pass leaves
    its transpose where it is (and the float model stays bit-exact)."""
    from tinygen.frontend.tflite import read_tflite
    from tinygen.passes import fold_layout_transposes

    shape = (3, 2, 4)
    path = tmp_path / "m.tflite"
    path.write_bytes(float_tflite(_flatten_nchw(shape, seed=6)))
    graph = read_tflite(path)
    assert "TRANSPOSE" in [op.kind for op in graph.ops]
    assert fold_layout_transposes(graph).ops == graph.ops
    assert "tg_transpose_f32" in _kernels(path.read_bytes(), tmp_path)
    assert_bit_exact(path.read_bytes(), tmp_path, count=6)
