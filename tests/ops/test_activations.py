"""LOGISTIC, TANH, RELU, RELU6, HARD_SWISH, ELU (int8): every one of the 256 input values, under several random
quantizations, on the model input directly and after a Dense layer; LOGISTIC and TANH in int16 (16x8) over
every one of the 65536 input values (converter and random scales, power-of-two ones included) and after a Dense
layer; bit-exact with TFLM."""
import functools

import pytest

from tests.support.helpers import assert_every_input_exact, int8_tflite, keras_model, op_kinds, with_quantization

ACTIVATIONS = {"sigmoid": "LOGISTIC", "tanh": "TANH", "relu": "RELU", "relu6": "RELU6", "hard_swish": "HARD_SWISH"}


@functools.lru_cache(maxsize=None)
def _activation_model(name: str, seed: int) -> bytes:
    """The activation alone on a [1, 256] input, converted with a random input quantization."""
    import tensorflow as tf

    return int8_tflite(keras_model([tf.keras.layers.Activation(name)], (256,), seed=seed), (256,), seed=seed)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_on_input(tmp_path, name, seed):
    tflite = _activation_model(name, seed)
    assert op_kinds(tflite, tmp_path) == [ACTIVATIONS[name]]
    assert_every_input_exact(tflite, tmp_path, 256)


@pytest.mark.parametrize("name", ["hard_swish", "sigmoid", "tanh"])  # the converter fuses relu/relu6 into Dense
def test_after_dense(tmp_path, name):
    """A computed input (its own quantization); a wide calibration range so large values saturate."""
    import tensorflow as tf

    model = keras_model([tf.keras.layers.Dense(96), tf.keras.layers.Activation(name)], (8,), seed=3)
    tflite = int8_tflite(model, (8,), seed=3, calibration_scale=6.0)
    assert op_kinds(tflite, tmp_path) == ["FULLY_CONNECTED", ACTIVATIONS[name]]
    assert_every_input_exact(tflite, tmp_path, 8)


# (activation, input (scale, zero point), output (scale, zero point) or None to keep the converter's)
EDGES = [
    ("hard_swish", (0.05, 3), (40.0, 0)),  # output exponent -16: gemmlowp's int16 rounding shift degenerates
    ("hard_swish", (1e-7, -7), (1e-7, 0)),  # relu-ish exponent -16
    ("hard_swish", (500.0, 10), (300.0, -100)),  # relu-ish exponent 16: saturating left shifts
    ("sigmoid", (20.0, 5), None),  # radius 0: every input saturates
    ("sigmoid", (1e-4, -100), None),
    ("tanh", (40.0, -128), None),
    ("tanh", (0.02, 127), (0.5, 30)),  # TFLM ignores TANH's output quantization
    ("relu", (5.0, 100), (0.001, -128)),
    ("relu", (1e-6, 100), (1.0, 50)),
    ("relu6", (3.0, 127), (1.0, 3)),  # TFLM's RELU6 clamps in the input's quantization
]


@pytest.mark.parametrize("name,x_quant,y_quant", EDGES)
def test_extreme_quantization(tmp_path, name, x_quant, y_quant):
    tflite = with_quantization(_activation_model(name, 0), {0: x_quant, **({1: y_quant} if y_quant else {})})
    assert_every_input_exact(tflite, tmp_path, 256)


def test_hard_swish_refused_when_tflm_refuses(tmp_path):
    """input_scale / 128 above the output scale: TFLM's Prepare fails, tinygen refuses to compile."""
    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    path = tmp_path / "refused.tflite"
    path.write_bytes(with_quantization(_activation_model("hard_swish", 0), {0: (0.1, 0), 1: (0.1 / 256, 0)}))
    with pytest.raises(TinygenError, match="HARD_SWISH"):
        compile_model(path)


@pytest.mark.parametrize("scale", [3.4e38, 1e12, 2.0**35])
def test_huge_logistic_input_scale_is_refused(scale):
    """TFLM divides the input radius by 1LL << shift with a shift beyond 62 bits here (undefined behaviour in C:
    found by fuzzing, TFLM's outputs follow no rule), so tinygen refuses rather than guess."""
    from tinygen.errors import TinygenError
    from tinygen.quant import logistic_tanh_input_params

    with pytest.raises(TinygenError, match="overflows TFLite Micro's LOGISTIC/TANH parameters"):
        logistic_tanh_input_params(scale)
    assert logistic_tanh_input_params(2.0**35 * 0.99)[1:] == (62, 0)  # the largest shift TFLM computes


@pytest.mark.parametrize("seed", range(4))
def test_elu_every_input(tmp_path, seed):
    """ELU's table (TFLM fills it in float32 with the C library's expf; so does tinygen) over all 256 inputs and
    random quantizations. TensorFlow's converter keeps ELU in float, so the model is built directly."""
    import numpy as np

    from tests.support.schema_model import SchemaModel

    rng = np.random.default_rng(seed)
    m = SchemaModel("elu")
    x = m.tensor([1, 64], scale=float(rng.uniform(0.005, 0.1)), zero_point=int(rng.integers(-100, 100)))
    y = m.tensor([1, 64], scale=float(rng.uniform(0.005, 0.05)), zero_point=int(rng.integers(-128, 0)))
    m.op("ELU", [x], [y])
    assert_every_input_exact(m.finish([x], [y]), tmp_path, 64)


# ---- int16 (16x8) LOGISTIC and TANH: TFLM's sigmoid-table interpolation ----

def _every_int16_input(tflite: bytes, tmp_path, name: str = "model"):
    """All 65536 int16 values as one [1, 65536] input (the model's input shape): bit-exact with TFLM."""
    import numpy as np

    from tinygen.emulation import emulate

    path = tmp_path / f"{name}.tflite"
    path.write_bytes(tflite)
    inputs = np.arange(-32768, 32768, dtype=np.int16).reshape(1, 1, 65536)
    result = emulate(path, inputs=inputs, backend="portable")
    assert result.outputs.dtype == np.int16
    assert np.array_equal(result.outputs, result.expected), result.summary()


def _table_model(kind: str, input_scale: float) -> bytes:
    from tests.support.schema_model import SchemaModel

    m = SchemaModel(kind.lower())
    x = m.tensor([1, 65536], "int16", scale=input_scale)
    y = m.tensor([1, 65536], "int16", scale=1 / 32768)
    m.op(kind, [x], [y])
    return m.finish([x], [y])


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_16x8_converted(tmp_path, name):
    import tensorflow as tf

    from tests.support.helpers import int16_tflite

    tflite = int16_tflite(keras_model([tf.keras.layers.Activation(name)], (65536,), seed=4), (65536,), seed=4,
                          calibration_scale=3.0)
    assert op_kinds(tflite, tmp_path) == [ACTIVATIONS[name]]
    _every_int16_input(tflite, tmp_path)


# Power-of-two input scales (TFLM's 3 << shift shortcut: 2^-12 for both, 2^-11 for TANH) and general ones,
# down to scales whose multiplier needs the full 30-bit shift search and up to the largest TFLM's table takes.
@pytest.mark.parametrize("kind", ["LOGISTIC", "TANH"])
@pytest.mark.parametrize("input_scale", [2.0 ** -12, 2.0 ** -11, 2.0 ** -15, 3.1e-4, 1e-3, 0.02, 1e-9, 2.6])
def test_16x8_input_scales(tmp_path, kind, input_scale):
    _every_int16_input(_table_model(kind, input_scale), tmp_path, kind.lower())


@pytest.mark.parametrize("kind", ["LOGISTIC", "TANH"])
def test_16x8_refusals(tmp_path, kind):
    from tests.support.schema_model import SchemaModel
    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    def model(output_scale, zero_point=0, input_scale=1e-3):
        m = SchemaModel("bad")
        x = m.tensor([1, 8], "int16", scale=input_scale, zero_point=zero_point)
        y = m.tensor([1, 8], "int16", scale=output_scale)
        m.op(kind, [x], [y])
        path = tmp_path / f"bad_{output_scale}_{zero_point}_{input_scale}.tflite"
        path.write_bytes(m.finish([x], [y]))
        return path

    for path, message in ((model(1 / 16384), "2\^-15"), (model(1 / 32768, 5), "zero points 5"),
                          (model(1 / 32768, 0, 4.0), "too large")):
        with pytest.raises(TinygenError, match=message):
            compile_model(path)


def test_16x8_after_dense_cortex_m4(tmp_path):
    import tensorflow as tf

    from tests.support.helpers import assert_bit_exact, int16_tflite

    model = keras_model([tf.keras.layers.Dense(24, activation="tanh"), tf.keras.layers.Dense(24),
                         tf.keras.layers.Activation("sigmoid")], (8,), seed=5)
    tflite = int16_tflite(model, (8,), seed=5, calibration_scale=4.0)
    assert op_kinds(tflite, tmp_path) == ["FULLY_CONNECTED", "TANH", "FULLY_CONNECTED", "LOGISTIC"]
    assert_bit_exact(tflite, tmp_path, count=8)
    assert_bit_exact(tflite, tmp_path, count=3, target="cortex-m4")


def test_float32_activations(tmp_path):
    """float32 RELU, RELU6, LOGISTIC (TFLM's cutoffs at -9 and 16.6), TANH on values spread over [-40, 40]."""
    import tensorflow as tf

    from tests.support.helpers import assert_float_function_exact

    def activations(x):
        return tf.nn.relu(x) + tf.nn.relu6(x) * 10.0 + tf.math.sigmoid(x * 20.0) * tf.math.tanh(x * 3.0)

    assert_float_function_exact(activations, [[1, 200]], tmp_path, ["RELU", "RELU6", "LOGISTIC", "TANH"], count=20)


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32_hard_swish(tmp_path, target):
    """A Keras hard_swish layer converted without quantization: TFLite's reference HardSwish<float> over the
    whole curve (below -3, between, above 3), exact on every target (no math library call)."""
    import tensorflow as tf

    from tests.support.helpers import assert_bit_exact, float_tflite

    tflite = float_tflite(keras_model([tf.keras.layers.Dense(64), tf.keras.layers.Activation("hard_swish")], (8,),
                                      seed=3))
    assert "HARD_SWISH" in op_kinds(tflite, tmp_path)
    assert_bit_exact(tflite, tmp_path, count=20, target=target)


def test_float32_activations_on_cortex_m4(tmp_path):
    """RELU and RELU6 are exact on any target; LOGISTIC and TANH call the target's expf and tanhf (newlib's), whose
    last bit may differ from the host's: the emulator reports that difference, here under 1e-6."""
    import tensorflow as tf

    from tests.support.helpers import assert_float_function_exact, float_tflite, need_target
    from tinygen.emulation import emulate

    need_target("cortex-m4")
    assert_float_function_exact(lambda x: tf.nn.relu(x) + tf.nn.relu6(x) * 4.0, [[1, 64]], tmp_path,
                                ["RELU6"], "cortex-m4", count=3)
    path = tmp_path / "transcendental.tflite"
    specs = [tf.TensorSpec([1, 64], tf.float32)]
    path.write_bytes(float_tflite(tf.function(lambda x: tf.math.sigmoid(x * 8.0) + tf.math.tanh(x * 3.0),
                                              input_signature=specs)))
    result = emulate(path, count=3, target="cortex-m4", backend="portable")
    assert result.max_abs_diff < 1e-6, result.summary()
