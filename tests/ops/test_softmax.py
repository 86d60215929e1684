"""SOFTMAX int8: row lengths, ranks, input scales, beta (small, large, saturating multiplier); every case bit-exact
with TFLM. Plus the refusal of an output quantization TFLM rejects."""
import pytest

from tests.support.helpers import assert_bit_exact, edit_tflite, int8_tflite, keras_model, with_option


# (input shape without batch, calibration scale)
@pytest.mark.parametrize("shape,scale", [
    ((1,), 1.0), ((10,), 0.1), ((17,), 2.0), ((4, 33), 8.0), ((3, 5, 7), 30.0), ((2, 2, 50), 0.5),
    ((300,), 100.0),
])
def test_softmax(tmp_path, shape, scale):
    import tensorflow as tf

    seed = sum(shape)
    model = keras_model([tf.keras.layers.Softmax()], shape, seed=seed)
    assert_bit_exact(int8_tflite(model, shape, seed=seed, calibration_scale=scale), tmp_path, count=16)


@pytest.mark.parametrize("beta,scale", [(0.05, 1.0), (3.7, 1.0), (25.0, 0.3), (1000.0, 2.0)])
def test_softmax_beta(tmp_path, beta, scale):
    import tensorflow as tf

    model = keras_model([tf.keras.layers.Softmax()], (6, 12), seed=7)
    tflite = with_option(int8_tflite(model, (6, 12), seed=7, calibration_scale=scale), "beta", beta)
    assert_bit_exact(tflite, tmp_path, count=16)


def test_softmax_refuses_other_output_quantization(tmp_path):
    import tensorflow as tf

    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    model = keras_model([tf.keras.layers.Softmax()], (8,), seed=1)

    def shift_zero_point(m):
        sg = m.subgraphs[0]
        sg.tensors[sg.operators[0].outputs[0]].quantization.zeroPoint = [-127]

    path = tmp_path / "softmax_zp.tflite"
    path.write_bytes(edit_tflite(int8_tflite(model, (8,), seed=1), shift_zero_point))
    with pytest.raises(TinygenError, match="1/256"):
        compile_model(path)


# 16x8: TFLM's int16 softmax (the exp and 1 / (1 + x) tables Prepare fills, built offline by tinygen).
@pytest.mark.parametrize("shape,scale", [((1,), 1.0), ((10,), 0.1), ((4, 33), 8.0), ((3, 5, 7), 30.0),
                                         ((300,), 100.0)])
def test_softmax_16x8(tmp_path, shape, scale):
    import tensorflow as tf

    from tests.support.helpers import int16_tflite

    seed = sum(shape) + 1
    model = keras_model([tf.keras.layers.Softmax()], shape, seed=seed)
    result = assert_bit_exact(int16_tflite(model, shape, seed=seed, calibration_scale=scale), tmp_path, count=16)
    assert result.outputs.dtype.name == "int16"


@pytest.mark.parametrize("beta", [0.05, 3.7, 25.0])
def test_softmax_16x8_beta(tmp_path, beta):
    import tensorflow as tf

    from tests.support.helpers import int16_tflite

    model = keras_model([tf.keras.layers.Softmax()], (6, 12), seed=8)
    assert_bit_exact(with_option(int16_tflite(model, (6, 12), seed=8, calibration_scale=1.0), "beta", beta),
                     tmp_path, count=16)


def _int8_to_int16_softmax(seed: int, shape, beta: float) -> bytes:
    """int8 → SOFTMAX → int16 (zero point -32768, scale 1/65536), as TFLM's keyword model ends: random input
    quantization, schema-built (the converter makes this form only from its own quantization)."""
    import numpy as np

    from tests.support.schema_model import SchemaModel

    rng = np.random.default_rng(seed)
    m = SchemaModel("softmax_s8_s16")
    x = m.tensor(shape, scale=float(rng.uniform(0.005, 0.5)), zero_point=int(rng.integers(-128, 128)))
    y = m.tensor(shape, "int16", scale=1 / 65536, zero_point=-32768)
    m.op("SOFTMAX", [x], [y], beta=beta)
    return m.finish([x], [y])


@pytest.mark.parametrize("seed,shape,beta", [(1, [1, 2], 1.0), (2, [1, 10], 1.0), (3, [3, 40], 0.3),
                                             (4, [2, 3, 7], 4.0), (5, [1, 200], 1.0)])
def test_softmax_int8_to_int16(tmp_path, seed, shape, beta):
    result = assert_bit_exact(_int8_to_int16_softmax(seed, shape, beta), tmp_path, count=16, seed=seed)
    assert result.outputs.dtype.name == "int16"


@pytest.mark.parametrize("kind", ["16x8", "int8_to_int16"])
def test_softmax_int16_cortex_m4(tmp_path, kind):
    import tensorflow as tf

    from tests.support.helpers import int16_tflite

    if kind == "16x8":
        tflite = int16_tflite(keras_model([tf.keras.layers.Softmax()], (4, 20), seed=9), (4, 20), seed=9)
    else:
        tflite = _int8_to_int16_softmax(6, [2, 20], 1.0)
    assert_bit_exact(tflite, tmp_path, count=3, target="cortex-m4")


@pytest.mark.parametrize("beta", [1.0, 0.37])
def test_float32_softmax(tmp_path, beta):
    """float32 SOFTMAX (TFLM's reference Softmax<float>: expf((x - max) * beta), divided by the float sum), rows
    of the last axis; host bit-exact (the same C library's expf as TFLM's)."""
    import tensorflow as tf

    from tests.support.helpers import assert_float_function_exact

    assert_float_function_exact(lambda x: tf.nn.softmax(x * 3.0 * beta / beta, axis=-1), [[2, 3, 10]], tmp_path,
                                ["SOFTMAX"], count=30)
    if beta != 1.0:
        import numpy as np

        from tests.support.helpers import float_tflite, with_option

        specs = [tf.TensorSpec([1, 16], tf.float32)]
        tflite = with_option(float_tflite(tf.function(lambda x: tf.nn.softmax(x), input_signature=specs)), "beta",
                             beta)
        result = assert_bit_exact(tflite, tmp_path, count=20)
        assert np.allclose(result.outputs.sum(axis=-1), 1.0, atol=1e-5)


def test_float32_softmax_on_cortex_m4_reports_the_libm_difference(tmp_path):
    """On a target whose C library's expf differs from the host's (newlib), the outputs may differ in the last bit:
    the emulator reports the worst difference, which stays within a few float32 ulps of [0, 1]."""
    import tensorflow as tf

    from tests.support.helpers import float_tflite, need_target
    from tinygen.emulation import emulate

    need_target("cortex-m4")
    specs = [tf.TensorSpec([1, 10], tf.float32)]
    path = tmp_path / "softmax.tflite"
    path.write_bytes(float_tflite(tf.function(lambda x: tf.nn.softmax(x * 4.0), input_signature=specs)))
    result = emulate(path, count=30, target="cortex-m4", backend="portable")
    assert result.max_abs_diff <= 4 * 2.0 ** -24, result.summary()
