"""QUANTIZE (float32 → int8, int8 → int8) and DEQUANTIZE (int8 → float32): float-I/O models end to end."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, op_kinds


def _float_model(tmp_path, layers, shape, seed):
    tflite = int8_tflite(keras_model(layers, shape, seed=seed), shape, seed=seed, io_dtype="float32")
    kinds = op_kinds(tflite, tmp_path)
    assert kinds[0] == "QUANTIZE" and kinds[-1] == "DEQUANTIZE"
    path = tmp_path / "float_io.tflite"
    path.write_bytes(tflite)
    return path


def _edge_inputs(path, shape):
    """Exact rounding ties, values far outside the int8 range, zeros of both signs, tiny values."""
    from tinygen.frontend.tflite import read_tflite

    graph = read_tflite(path)
    scale = np.float32(graph.tensors[graph.ops[0].outputs[0]].scale)  # QUANTIZE's output
    rng = np.random.default_rng(0)
    size = int(np.prod(shape))
    k = np.arange(-140, 140, dtype=np.float32)
    values = np.concatenate([(k + np.float32(0.5)) * scale, k * scale, [0.0, -0.0, 1e-30, -1e-30],
                             [1000 * scale, -1000 * scale, 3e6 * scale, -3e6 * scale],
                             (rng.standard_normal(size * 4) * 3).astype(np.float32)]).astype(np.float32)
    values = np.resize(values, (-(-values.size // size) * size,))
    return values.reshape((-1,) + tuple(shape))


@pytest.mark.parametrize("seed", [0, 1])
def test_float_io_dense(tmp_path, seed):
    import tensorflow as tf
    from tinygen.emulation import emulate

    path = _float_model(tmp_path, [tf.keras.layers.Dense(9)], (16,), seed)
    result = emulate(path, inputs=_edge_inputs(path, (1, 16)))
    assert result.outputs.dtype == np.float32
    assert np.array_equal(result.outputs.view(np.uint32), result.expected.view(np.uint32)), result.summary()


def test_float_io_activation(tmp_path):
    import tensorflow as tf
    from tinygen.emulation import emulate

    path = _float_model(tmp_path, [tf.keras.layers.Dense(12), tf.keras.layers.Activation("sigmoid")], (5,), 4)
    result = emulate(path, inputs=_edge_inputs(path, (1, 5)))
    assert np.array_equal(result.outputs.view(np.uint32), result.expected.view(np.uint32)), result.summary()


def test_float_io_header(tmp_path):
    import tensorflow as tf
    from tinygen.codegen import render_model
    from tinygen.compiler import compile_model

    path = _float_model(tmp_path, [tf.keras.layers.Dense(3)], (4,), 2)
    header = render_model(compile_model(path, name="fm"))["fm.h"]
    assert "int fm_invoke(const float *input, float *output);" in header


@pytest.mark.parametrize("seed", [0, 3])
def test_int8_requantize(tmp_path, seed):
    """The converter requantizes sigmoid's fixed 1/256 scale to the concatenation's with an int8 QUANTIZE."""
    import tensorflow as tf

    def build(x):
        return tf.keras.layers.Concatenate()([tf.keras.layers.Activation("sigmoid")(x), x])

    tflite = int8_tflite(keras_model(build, (40,), seed=seed), (40,), seed=seed)
    assert op_kinds(tflite, tmp_path) == ["LOGISTIC", "QUANTIZE", "CONCATENATION"]
    assert_bit_exact(tflite, tmp_path, count=16)
