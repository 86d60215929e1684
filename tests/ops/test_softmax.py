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
