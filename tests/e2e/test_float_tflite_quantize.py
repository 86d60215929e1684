"""A float32 .tflite with --calibration: quantized to int8 by ai-edge-quantizer (min/max ranges over every
calibration sample), compiled, bit-exact with TFLM on the int8 model it made; the report compares with TFLM's
float outputs. Without calibration the same file compiles with float kernels, as before."""
import numpy as np
import pytest

SHAPE = (8, 8, 2)


@pytest.fixture(scope="module")
def float_model(tmp_path_factory):
    """A small float CNN classifier converted by TensorFlow without quantization, and calibration samples."""
    import tensorflow as tf

    from tests.support.helpers import float_tflite, keras_model

    L = tf.keras.layers
    model = keras_model([L.Conv2D(6, 3, padding="same", activation="relu"), L.DepthwiseConv2D(3, padding="same"),
                         L.MaxPooling2D(), L.Flatten(), L.Dense(4), L.Softmax()], SHAPE, seed=3)
    d = tmp_path_factory.mktemp("float_tflite")
    (d / "cnn_float.tflite").write_bytes(float_tflite(model))
    x = np.random.default_rng(3).uniform(-1, 1, (48, *SHAPE)).astype(np.float32)
    np.save(d / "calib.npy", x)
    return d


def test_quantized_and_bit_exact(float_model):
    import tinygen
    from tinygen.frontend.tflite import parse_tflite

    q = tinygen.quantize(float_model / "cnn_float.tflite", float_model / "calib.npy")
    graph = parse_tflite(q.tflite, "q", "q")
    assert {graph.tensors[t].dtype for t in graph.inputs + graph.outputs} == {"int8"}
    assert {op.kind for op in graph.ops} >= {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "SOFTMAX"}
    # min/max calibration: the input's range covers the samples' [-1, 1] (a moving average would not)
    x = graph.tensors[graph.inputs[0]]
    assert x.scale * 255 >= 1.99
    assert q.report.top1_agreement >= 0.9 and q.report.mean_abs_error < 0.02, q.report.text()
    result = tinygen.emulate(float_model / "cnn_float.tflite", calibration=float_model / "calib.npy")
    assert result.exact and result.inputs == 48, result.summary()


def test_cli_build(float_model, tmp_path):
    from click.testing import CliRunner

    from tinygen.cli import main

    args = ["build", str(float_model / "cnn_float.tflite"), "--calibration", str(float_model / "calib.npy"),
            "--board", "esp32", "-o", str(tmp_path / "project")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "float .tflite model vs int8 model" in result.output
    assert (tmp_path / "project" / "model_int8.tflite").read_bytes()[4:8] == b"TFL3"
    result = CliRunner().invoke(main, args[:-2] + ["--io", "float", "-o", str(tmp_path / "other")])
    assert result.exit_code == 2 and "int8 inputs and outputs, not float" in result.output, result.output
    result = CliRunner().invoke(main, ["build", str(float_model / "cnn_float.tflite"), "--board", "esp32", "-o",
                                       str(tmp_path / "float_kernels")])  # no calibration: float kernels
    assert result.exit_code == 0 and not (tmp_path / "float_kernels" / "model_int8.tflite").exists(), result.output


def test_missing_extra_is_explained(float_model, monkeypatch):
    import importlib.util

    import tinygen
    from tinygen.errors import TinygenError

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ai_edge_quantizer"
                        else real(name, *a))
    with pytest.raises(TinygenError, match=r'needs the quantize extra .*pip install -e "\.\[quantize\]"'):
        tinygen.quantize(float_model / "cnn_float.tflite", float_model / "calib.npy")


def test_quantized_model_is_not_quantized_again(float_model, tmp_path):
    import tinygen
    from tinygen.errors import TinygenError

    path = tmp_path / "int8.tflite"
    path.write_bytes(tinygen.quantize(float_model / "cnn_float.tflite", float_model / "calib.npy").tflite)
    with pytest.raises(TinygenError, match="is already quantized"):
        tinygen.quantize(path, float_model / "calib.npy")
