"""LOGISTIC, TANH, RELU, RELU6, HARD_SWISH, ELU (int8): every one of the 256 input values, under several random
quantizations, on the model input directly and after a Dense layer; bit-exact with TFLM."""
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
