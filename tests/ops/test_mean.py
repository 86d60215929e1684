"""MEAN, SUM, REDUCE_MAX, REDUCE_MIN (int8, 16x8, float32): global average pooling and arbitrary constant axes,
keep_dims either way, bit-exact with TFLM."""
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, op_kinds, with_quantization


def _check(tmp_path, build, shape, seed, kind="MEAN"):
    tflite = int8_tflite(keras_model(build, shape, seed=seed), shape, seed=seed)
    assert kind in op_kinds(tflite, tmp_path)
    assert_bit_exact(tflite, tmp_path)


@pytest.mark.parametrize("shape,keepdims", [((4, 5, 3), False), ((7, 3, 8), True), ((1, 1, 5), False)])
def test_global_average_pooling(tmp_path, shape, keepdims):
    import tensorflow as tf

    _check(tmp_path, [tf.keras.layers.GlobalAveragePooling2D(keepdims=keepdims)], shape, seed=shape[0])


@pytest.mark.parametrize("shape,axes,keepdims", [
    ((4, 5, 3), (1, 3), False),  # interleaved: kept, reduced, kept, reduced
    ((4, 5, 3), -1, True),
    ((4, 5, 3), (0, 1, 2, 3), False),  # everything
    ((6, 2), (-2,), True),
    ((16, 9), 1, False),  # count 9: multiplier adjustment with a non-power of two
])
def test_axes(tmp_path, shape, axes, keepdims):
    import keras
    import tensorflow as tf

    build = [tf.keras.layers.Lambda(lambda t: keras.ops.mean(t, axis=axes, keepdims=keepdims))]
    _check(tmp_path, build, shape, seed=len(shape) + shape[0])


def test_after_dense(tmp_path):
    """The mean of a computed tensor, quantized differently from the model input."""
    import keras
    import tensorflow as tf

    build = [tf.keras.layers.Dense(6), tf.keras.layers.Lambda(lambda t: keras.ops.mean(t, axis=1))]
    _check(tmp_path, build, (5, 3), seed=11)


@pytest.mark.parametrize("x_quant,y_quant", [
    ((1e-9, 5), (1.0, 0)),  # the 1/count bits are capped by the exponent's -31 floor
    ((1.0, 100), (0.001, 7)),  # a left shift remains after dividing by the count
    ((0.1, 9), (0.1, 9)),  # input and output quantized alike
])
def test_extreme_quantization(tmp_path, x_quant, y_quant):
    import keras
    import tensorflow as tf
    from tinygen.frontend.tflite import read_tflite

    build = [tf.keras.layers.Lambda(lambda t: keras.ops.mean(t, axis=1))]
    tflite = int8_tflite(keras_model(build, (64, 4), seed=1), (64, 4), seed=1)
    path = tmp_path / "mean.tflite"
    path.write_bytes(tflite)
    graph = read_tflite(path)
    assert [op.kind for op in graph.ops] == ["MEAN"]
    changes = {graph.inputs[0]: x_quant, graph.outputs[0]: y_quant}
    assert_bit_exact(with_quantization(tflite, changes), tmp_path)


@pytest.mark.parametrize("reduce,kind", [("sum", "SUM"), ("max", "REDUCE_MAX"), ("min", "REDUCE_MIN")])
@pytest.mark.parametrize("shape,axes,keepdims", [((4, 5, 3), (1, 3), False), ((4, 5, 3), (1, 2), True),
                                                 ((6, 7), -1, False)])
def test_other_reductions(tmp_path, reduce, kind, shape, axes, keepdims):
    import keras
    import tensorflow as tf

    fn = getattr(keras.ops, reduce)
    layers = [tf.keras.layers.Dense(shape[-1]), tf.keras.layers.Lambda(lambda t: fn(t, axis=axes, keepdims=keepdims))]
    _check(tmp_path, layers, shape, seed=len(shape) + len(reduce), kind=kind)


@pytest.mark.parametrize("reduce,kind", [("mean", "MEAN"), ("sum", "SUM")])
@pytest.mark.parametrize("shape,axes,keepdims", [((4, 5, 3), (1, 2), True), ((4, 5, 3), (1, 3), False),
                                                 ((16, 9), 1, False)])
def test_16x8(tmp_path, reduce, kind, shape, axes, keepdims):
    """16x8 quantization: int16 sums, the same multiplier arithmetic."""
    import keras
    import tensorflow as tf

    fn = getattr(keras.ops, reduce)
    layers = [tf.keras.layers.Dense(shape[-1]), tf.keras.layers.Lambda(lambda t: fn(t, axis=axes, keepdims=keepdims))]
    seed = len(shape) + len(reduce) + 5
    tflite = int8_tflite(keras_model(layers, shape, seed=seed), shape, seed=seed, activations="int16")
    assert kind in op_kinds(tflite, tmp_path)
    result = assert_bit_exact(tflite, tmp_path)
    assert result.outputs.dtype.name == "int16"


@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
def test_16x8_cross(tmp_path, target):
    import tensorflow as tf

    tflite = int8_tflite(keras_model([tf.keras.layers.GlobalAveragePooling2D()], (5, 7, 3), seed=8), (5, 7, 3),
                         seed=8, activations="int16")
    assert_bit_exact(tflite, tmp_path, count=2, target=target)


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32_mean_and_sum(tmp_path, target):
    """float32 MEAN and SUM (TFLM's reference Mean / ReduceGeneric<float>): the global average over H, W with
    keep_dims (TFLM's special case), interleaved axes, and a SUM; the float sum in the input's order."""
    import tensorflow as tf

    from tests.support.helpers import assert_float_function_exact

    def reductions(x):
        a = tf.reshape(tf.reduce_mean(x, axis=[1, 2], keepdims=True), [1, 6])
        b = tf.reduce_sum(tf.reduce_sum(x, axis=[1, 3]), axis=1, keepdims=True)
        return a + b + tf.reduce_mean(tf.reduce_mean(x, axis=[0, 2]), axis=0, keepdims=True)

    assert_float_function_exact(reductions, [[1, 7, 5, 6]], tmp_path, ["MEAN", "SUM"], target)


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32_max_and_min(tmp_path, target):
    """float32 REDUCE_MAX and REDUCE_MIN (TFLM's ReduceGeneric<float> from -FLT_MAX / FLT_MAX), over
    interleaved axes, keep_dims either way."""
    import tensorflow as tf

    from tests.support.helpers import assert_float_function_exact

    def reductions(x):
        a = tf.reshape(tf.reduce_max(x, axis=[1, 3], keepdims=True), [1, 5])
        return a + tf.reduce_min(tf.reduce_max(x, axis=3), axis=[0, 1], keepdims=True)

    assert_float_function_exact(reductions, [[1, 7, 5, 6]], tmp_path, ["REDUCE_MAX", "REDUCE_MIN"], target)


def test_float32_max_keeps_tflm_edges(tmp_path):
    """NaN inputs are skipped, and all -inf gives -FLT_MAX (TFLM starts from lowest(), not -inf)."""
    import numpy as np

    from tests.support.schema_model import SchemaModel
    from tinygen.emulation import emulate

    m = SchemaModel("reduce_edges")
    x = m.tensor([2, 3, 4], "float32")
    axis = m.tensor([1], "int32", data=np.array([2], np.int32))
    y = m.tensor([2, 3], "float32")
    m.op("REDUCE_MAX", [x, axis], [y])
    path = tmp_path / "edges.tflite"
    path.write_bytes(m.finish([x], [y]))
    samples = np.random.default_rng(0).standard_normal((2, 2, 3, 4)).astype(np.float32)
    samples[0, 0, 0] = [np.nan, 1.0, np.nan, -2.0]
    samples[0, 0, 1] = -np.inf
    samples[1, 1, 2] = [np.nan] * 4
    result = emulate(path, inputs=samples)
    assert np.array_equal(result.outputs.view(np.uint32), result.expected.view(np.uint32)), result.summary()
    assert result.outputs[0, 0, 0] == 1.0 and result.outputs[0, 0, 1] == -np.finfo(np.float32).max
