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


def _quantize_only(zero_point: int, scale: float = 0.05) -> bytes:
    from tests.support.schema_model import SchemaModel

    m = SchemaModel("q")
    x = m.tensor([1, 16], "float32")
    y = m.tensor([1, 16], scale=scale, zero_point=zero_point)
    m.op("QUANTIZE", [x], [y])
    return m.finish([x], [y])


# Quotients beyond int32, infinities and NaN: TFLM converts them to INT32_MIN (x86), which a negative zero point
# wraps around; -2^31 * scale is the one in-range quotient that is INT32_MIN itself.
BEYOND_INT32 = np.array([1e7, 1e8, -1e8, 1e10, -1e10, np.inf, -np.inf, np.nan, -np.nan, 1e38, -3.4e38,
                         2147483520 * 0.05, -2147483648 * 0.05, -2147483520 * 0.05, 0.0, 6.35], np.float32)


@pytest.mark.parametrize("zero_point", [0, 5, -5, 127, -128])
@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_inputs_beyond_int32_quantize_as_tflm(tmp_path, zero_point, target):
    from tinygen.emulation import emulate

    path = tmp_path / "q.tflite"
    path.write_bytes(_quantize_only(zero_point))
    result = emulate(path, inputs=BEYOND_INT32.reshape(1, 1, 16), target=target)
    assert np.array_equal(result.outputs, result.expected), (result.outputs, result.expected)
    assert set(result.expected.reshape(-1)[:14]) <= {-128, 127}  # the edges, not values tinygen chose


@pytest.mark.parametrize("zero_point", [0, 5, -5, -128])
def test_python_side_quantization_matches_tflm(tmp_path, zero_point):
    """report_quant.quantize_input (int8-input Keras models) quantizes float samples exactly as TFLM's QUANTIZE."""
    from tinygen import oracle
    from tinygen.frontend.tflite import parse_tflite
    from tinygen.report_quant import quantize_input

    raw = _quantize_only(zero_point)
    graph = parse_tflite(raw)
    edge = np.concatenate([BEYOND_INT32, np.float32(0.05) * (np.arange(-140, 140, dtype=np.float32) + 0.5)])
    x = np.resize(edge, (-(-edge.size // 16) * 16,)).reshape(-1, 1, 16)
    expected = oracle.reference_outputs(raw, x)
    got = quantize_input(x, graph.tensors[graph.ops[0].outputs[0]])
    assert np.array_equal(got.reshape(expected.shape), expected)
