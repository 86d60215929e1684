"""QUANTIZE (float32 → int8 or int16, rescales between int8 and int16) and DEQUANTIZE (int8 or int16 → float32):
float-I/O models end to end, and 16x8 chains."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, need_target, op_kinds


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


# ---- int16 (16x8 quantization): float32 ↔ int16, int8 ↔ int16, int16 → int16 ----

def _chain(types_and_quant, rng_seed: int = 0) -> bytes:
    """One QUANTIZE (DEQUANTIZE into float32) between each pair of consecutive (dtype, scale, zero point)."""
    from tests.support.schema_model import SchemaModel

    m = SchemaModel("q16")
    tensors = [m.tensor([1, 24], dtype, **({} if dtype == "float32" else dict(scale=scale, zero_point=zp)))
               for dtype, scale, zp in types_and_quant]
    for a, b, (dtype, _, _) in zip(tensors, tensors[1:], types_and_quant[1:]):
        m.op("DEQUANTIZE" if dtype == "float32" else "QUANTIZE", [a], [b])
    return m.finish([tensors[0]], [tensors[-1]])


def _random_quant(rng, dtype):
    zp = 0 if dtype == "int16" and rng.random() < 0.5 else int(rng.integers(-100, 100))
    return dtype, float(rng.uniform(0.0005, 0.3)), zp


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_int16_requantize_chains(tmp_path, seed, target):
    """int8 → int16 → int16 → int8 → int16 with random scales and zero points: every type pair TFLM requantizes."""
    from tinygen.emulation import emulate

    need_target(target)
    rng = np.random.default_rng(seed)
    path = tmp_path / "chain.tflite"
    path.write_bytes(_chain([_random_quant(rng, t) for t in ("int8", "int16", "int16", "int8", "int16")]))
    result = emulate(path, inputs=np.resize(np.arange(-128, 128, dtype=np.int8), (11, 1, 24)), target=target)
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert result.outputs.dtype == np.int16


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float_int16_float(tmp_path, seed, target):
    """float32 → int16 (rounding ties, values beyond int16 and int32, NaN) → float32."""
    from tinygen.emulation import emulate

    need_target(target)
    rng = np.random.default_rng(seed)
    dtype, scale, zp = _random_quant(rng, "int16")
    path = tmp_path / "f16.tflite"
    path.write_bytes(_chain([("float32", 0, 0), (dtype, scale, zp), ("float32", 0, 0)]))
    k = np.arange(-33000, 33000, 97, dtype=np.float32)
    values = np.concatenate([(k + np.float32(0.5)) * np.float32(scale), k * np.float32(scale), BEYOND_INT32,
                             rng.standard_normal(200).astype(np.float32) * 40000 * scale]).astype(np.float32)
    inputs = np.resize(values, (-(-values.size // 24) * 24,)).reshape(-1, 1, 24)
    result = emulate(path, inputs=inputs, target=target)
    assert np.array_equal(result.outputs.view(np.uint32), result.expected.view(np.uint32)), result.summary()
    # The int16 range was reached at both ends, not only values inside the int8 one.
    assert result.expected.max() >= (32767 - zp) * np.float32(scale) * 0.999
    assert result.expected.min() <= (-32768 - zp) * np.float32(scale) * 0.999


@pytest.mark.parametrize("pair", [("int32", "int8"), ("int32", "int16"), ("int8", "int32"), ("int16", "int32")])
@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_int32_requantize(tmp_path, pair, target):
    """int32 ↔ int8/int16 with zero point 0 on the int32 side (TFLM's Requantize pairs); int32 inputs span the
    whole range, so left shifts wrap as in TFLM."""
    from tinygen.emulation import emulate

    need_target(target)
    rng = np.random.default_rng(len(pair[0]) + 3 * len(pair[1]))
    quant = [(dtype, float(rng.uniform(1e-7, 1e-3)) if dtype == "int32" else _random_quant(rng, dtype)[1],
              0 if dtype == "int32" else int(rng.integers(-100, 100))) for dtype in pair]
    path = tmp_path / "q32.tflite"
    path.write_bytes(_chain(quant))
    result = emulate(path, count=6, target=target)
    assert np.array_equal(result.outputs, result.expected), result.summary()


def test_int32_zero_point_is_refused(tmp_path):
    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    path = tmp_path / "q32.tflite"
    path.write_bytes(_chain([("int32", 1e-6, 5), ("int16", 0.001, 0)]))
    with pytest.raises(TinygenError, match="zero point 5"):
        compile_model(path)


def _dequantize_split_quantize(scales) -> bytes:
    """int8 → DEQUANTIZE → float SPLIT → two QUANTIZEs (as the converter leaves an unrolled GRU's split) → ADD."""
    from tests.support.schema_model import SchemaModel

    m = SchemaModel("float_split")
    x = m.tensor([1, 8], scale=0.05, zero_point=3)
    f = m.tensor([1, 8], "float32")
    m.op("DEQUANTIZE", [x], [f])
    axis = m.tensor([1], "int32", data=np.array([1], np.int32))
    halves = [m.tensor([1, 4], "float32"), m.tensor([1, 4], "float32")]
    m.op("SPLIT", [axis, f], halves, num_splits=2)
    quantized = [m.tensor([1, 4], scale=s, zero_point=z) for s, z in scales]
    for half, q in zip(halves, quantized):
        m.op("QUANTIZE", [half], [q])
    y = m.tensor([1, 4], scale=0.08, zero_point=-1)
    m.op("ADD", quantized, [y])
    return m.finish([x], [y])


@pytest.mark.parametrize("scales", [((0.03, -5), (0.05, 3)), ((0.0007, 100), (0.5, -128)), ((0.1, 0), (0.05, 3))],
                         ids=["rescaled-and-same", "saturating", "coarser"])
def test_float_data_movement_runs_on_the_int8_bytes(tmp_path, scales):
    from tinygen.compiler import compile_model
    from tests.support.helpers import assert_every_input_exact

    tflite = _dequantize_split_quantize(scales)
    assert_every_input_exact(tflite, tmp_path, 8)
    program = compile_model(tmp_path / "model.tflite")
    kinds = [layer.op.kind for layer in program.layers]
    assert "DEQUANTIZE" not in kinds and kinds.count("QUANTIZE") == 2
    assert {layer.kernel for layer in program.layers if layer.op.kind == "QUANTIZE"} == {"tg_lut_s8"}


def test_float_data_movement_from_two_scales_runs_in_float(tmp_path):
    """DEQUANTIZE of two scales → CONCATENATION → QUANTIZE cannot move int8 bytes (the scales differ): the float
    concatenation runs as TFLM runs it, between the float DEQUANTIZE and QUANTIZE kernels."""
    from tests.support.schema_model import SchemaModel
    from tinygen.compiler import compile_model

    m = SchemaModel("float_concat")
    xs = [m.tensor([1, 4], scale=0.05, zero_point=3), m.tensor([1, 4], scale=0.04, zero_point=3)]
    fs = [m.tensor([1, 4], "float32"), m.tensor([1, 4], "float32")]
    for x, f in zip(xs, fs):
        m.op("DEQUANTIZE", [x], [f])
    joined = m.tensor([1, 8], "float32")
    m.op("CONCATENATION", fs, [joined], axis=1)
    y = m.tensor([1, 8], scale=0.05, zero_point=3)
    m.op("QUANTIZE", [joined], [y])
    tflite = m.finish(xs, [y])
    assert_bit_exact(tflite, tmp_path, count=20)
    kinds = [layer.op.kind for layer in compile_model(tmp_path / "model.tflite").layers]
    assert kinds == ["DEQUANTIZE", "DEQUANTIZE", "CONCATENATION", "QUANTIZE"]


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_uint8_io_model(tmp_path, target):
    """A model with uint8 input and output (TF1-style): TFLM's Requantize uint8 → int8 at the input and int8 →
    uint8 at the output, every one of the 256 input values."""
    import tensorflow as tf

    L = tf.keras.layers
    tflite = int8_tflite(keras_model([L.Dense(16, activation="relu"), L.Dense(256)], (256,), seed=3), (256,), seed=3,
                         io_dtype="uint8")
    kinds = op_kinds(tflite, tmp_path)
    assert kinds[0] == kinds[-1] == "QUANTIZE"
    result = assert_bit_exact(tflite, tmp_path, count=6 if target == "host" else 1, seed=2, target=target)
    assert result.outputs.dtype == np.uint8
