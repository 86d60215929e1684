"""Keras models in: int8 post-training quantization (float and int8 I/O), bit-exact generated C, the
quantization report, and clear refusals."""
from pathlib import Path

import numpy as np
import pytest

SHAPE = (8, 8, 1)


def _layers():
    import keras

    return [keras.layers.Conv2D(6, 3, padding="same", activation="relu"), keras.layers.MaxPooling2D(),
            keras.layers.Flatten(), keras.layers.Dense(5, activation="softmax")]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """One small trained-looking classifier saved as .keras, .h5 and a SavedModel directory, plus data."""
    import keras

    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input(SHAPE)] + _layers(), name="small_cnn")
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (64,) + SHAPE).astype(np.float32)
    d = tmp_path_factory.mktemp("keras")
    model.save(d / "m.keras")
    model.save(d / "m.h5")
    model.export(str(d / "saved"), verbose=False)
    np.save(d / "calib.npy", x)
    return dict(model=model, dir=d, x=x, y=rng.integers(0, 5, len(x)))


@pytest.mark.parametrize("source,io", [("m.keras", "float"), ("m.keras", "int8"), ("m.h5", "int8"),
                                       ("saved", "float"), ("object", "int8")])
def test_formats_bit_exact(saved, source, io):
    import tinygen

    model = saved["model"] if source == "object" else saved["dir"] / source
    result = tinygen.emulate(model, calibration=saved["dir"] / "calib.npy", io=io)
    assert result.inputs == len(saved["x"])
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert result.outputs.dtype == (np.float32 if io == "float" else np.int8)


def test_io_types_and_per_channel_weights(saved):
    import tinygen

    for io, edges in (("float", ["QUANTIZE", "DEQUANTIZE"]), ("int8", [])):
        graph = tinygen.quantize(saved["model"], saved["x"], io=io, layer_errors=False).graph
        kinds = [op.kind for op in graph.ops]
        assert [k for k in kinds if k in ("QUANTIZE", "DEQUANTIZE")] == edges
        assert {graph.tensors[graph.inputs[0]].dtype, graph.tensors[graph.outputs[0]].dtype} == \
            {"float32" if io == "float" else "int8"}
        conv = next(op for op in graph.ops if op.kind == "CONV_2D")
        assert graph.tensors[conv.inputs[1]].quant.per_channel


def test_subclassed_model_takes_its_shape_from_the_calibration_data(tmp_path):
    import keras

    import tinygen

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden, self.out = keras.layers.Dense(7, activation="relu"), keras.layers.Dense(3)

        def call(self, x):
            return self.out(self.hidden(x))

    keras.utils.set_random_seed(2)
    net = Net()
    x = np.random.default_rng(2).standard_normal((20, 12)).astype(np.float32)
    net(x[:1])
    result = tinygen.emulate(net, calibration=x)
    assert np.array_equal(result.outputs, result.expected), result.summary()


def test_report(saved):
    import tinygen
    from tinygen import oracle

    x, y = saved["x"], saved["y"]
    q = tinygen.quantize(saved["model"], x[:32], validation=(x, y), io="int8")
    r = q.report
    float_out = saved["model"].predict(x, verbose=0)
    out = q.graph.tensors[q.graph.outputs[0]]
    from tinygen.report_quant import model_inputs

    raw = oracle.reference_outputs(q.tflite, model_inputs(x, q.graph.tensors[q.graph.inputs[0]]))
    int8_out = (raw.astype(np.float32) - out.zero_point) * out.scale
    assert (r.data, r.samples, r.outputs_per_sample, r.io) == ("validation", len(x), 5, "int8")
    assert r.float_accuracy == np.mean(float_out.argmax(1) == y)
    assert r.int8_accuracy == np.mean(int8_out.argmax(1) == y)
    assert r.top1_agreement == np.mean(float_out.argmax(1) == int8_out.argmax(1))
    assert r.max_abs_error == pytest.approx(np.abs(float_out - int8_out).max())
    assert r.output_scale == out.scale
    assert [e.layer for e in r.layers][:2] == [saved["model"].layers[0].name, saved["model"].layers[1].name]
    assert [e.op for e in r.layers][0] == "CONV_2D" and all(e.max_abs_error >= 0 for e in r.layers)
    text = r.text()
    assert "top-1 agreement" in text and "accuracy" in text and "per-layer" in text
    assert r.to_dict()["accuracy_drop_points"] == pytest.approx(100 * (r.float_accuracy - r.int8_accuracy))
    # one-hot labels give the same accuracy; calibration data is used when no validation data is given
    onehot = np.eye(5)[y]
    assert tinygen.quantize(saved["model"], x[:32], validation=(x, onehot), layer_errors=False) \
        .report.float_accuracy == r.float_accuracy
    assert tinygen.quantize(saved["model"], x[:32], layer_errors=False).report.data == "calibration"


def test_calibration_files(saved, tmp_path):
    from tinygen.frontend.keras import load_array

    x = saved["x"]
    np.savez(tmp_path / "named.npz", labels=np.arange(3), x=x)
    np.savez(tmp_path / "first.npz", x[:5])
    assert np.array_equal(load_array(tmp_path / "named.npz"), x)
    assert np.array_equal(load_array(tmp_path / "first.npz"), x[:5])


@pytest.mark.parametrize("data,message", [
    (np.zeros((4, 64), np.float32), r"shape \[4, 64\]; the model expects \[N, 8, 8, 1\].*reshape\(-1, 8, 8, 1\)"),
    (np.zeros((4, 8, 8, 1), np.uint8), r"calibration data is uint8; the model's input is float32 \[N, 8, 8, 1\]"),
    (np.full((4, 8, 8, 1), np.nan, np.float32), "NaN"),
    (np.zeros((0, 8, 8, 1), np.float32), "no samples"),
])
def test_bad_calibration_data(saved, data, message):
    import tinygen
    from tinygen.errors import TinygenError

    with pytest.raises(TinygenError, match=message):
        tinygen.quantize(saved["dir"] / "m.keras", data)


def test_refuses_keras_without_calibration_compiles_float_tflite(saved, tmp_path):
    import tensorflow as tf

    import tinygen
    from tinygen.compiler import compile_model
    from tinygen.emulation import emulate
    from tinygen.errors import TinygenError

    with pytest.raises(TinygenError, match="needs calibration data"):
        tinygen.quantize(saved["model"], None)
    with pytest.raises(TinygenError, match="needs calibration data.*--calibration"):
        compile_model(saved["dir"] / "m.keras")
    # The same model converted without quantization compiles with float kernels, bit-exact with TFLM's.
    path = tmp_path / "float.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(saved["model"]).convert())
    result = emulate(path, inputs=saved["x"][:8, None])
    assert result.outputs.dtype == np.float32
    assert np.array_equal(result.outputs.view(np.uint32), result.expected.view(np.uint32)), result.summary()


@pytest.mark.parametrize("kind,message", [
    ("sin", r"left them in float32\): 'my_sin' \(SIN\)"),
    ("erfinv", r"cannot make these layers int8: 'my_erfinv' \(Erfinv\)"),
    ("lstm", r"cannot make these layers int8: 'my_lstm' \(While\); recurrent layers"),
])
def test_names_layers_the_converter_cannot_make_int8(kind, message):
    import keras
    import tensorflow as tf

    import tinygen
    from tinygen.errors import TinygenError

    shape = (4, 4) if kind == "lstm" else (16,)
    layer = {"sin": keras.layers.Lambda(tf.sin, name="my_sin"),
             "erfinv": keras.layers.Lambda(tf.math.erfinv, name="my_erfinv"),
             "lstm": keras.layers.LSTM(3, name="my_lstm")}[kind]
    x = keras.Input(shape)
    model = keras.Model(x, keras.layers.Dense(2)(layer(x)))
    with pytest.raises(TinygenError, match=message):
        tinygen.quantize(model, np.random.default_rng(0).uniform(-1, 1, (8,) + shape).astype(np.float32))


def test_refuses_two_outputs():
    import keras

    import tinygen
    from tinygen.errors import TinygenError

    x = keras.Input((4,))
    model = keras.Model(x, [keras.layers.Dense(2)(x), keras.layers.Dense(3)(x)])
    with pytest.raises(TinygenError, match="2 outputs"):
        tinygen.quantize(model, np.zeros((2, 4), np.float32))


def test_tflite_path_skips_tensorflow(saved, tmp_path):
    """A .tflite model never imports TensorFlow (checked in a fresh interpreter)."""
    import subprocess
    import sys

    import tinygen

    path = tinygen.quantize(saved["model"], saved["x"], io="int8", layer_errors=False).save(tmp_path / "m.tflite")
    code = ("import sys, tinygen; r = tinygen.emulate(sys.argv[1], count=3); "
            "assert r.exact; assert 'tensorflow' not in sys.modules, 'tensorflow imported'")
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, cwd=Path(__file__).parent)


def test_cli_build_and_emulate(saved, tmp_path):
    from click.testing import CliRunner

    from tinygen.cli import main

    d = saved["dir"]
    np.save(tmp_path / "y.npy", saved["y"])
    args = ["build", str(d / "m.keras"), "--calibration", str(d / "calib.npy"), "--validation", str(d / "calib.npy"),
            str(tmp_path / "y.npy"), "--io", "int8", "--board", "esp32c3", "-o", str(tmp_path / "project")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "accuracy:" in result.output and "wrote" in result.output
    project = tmp_path / "project"
    assert (project / "model_int8.tflite").read_bytes()[4:8] == b"TFL3"
    assert "top-1 agreement" in (project / "quantization_report.txt").read_text()
    assert CliRunner().invoke(main, args).exit_code == 0  # its own files: rebuilding needs no --force
    result = CliRunner().invoke(main, ["emulate", str(d / "m.h5"), "--calibration", str(d / "calib.npy")])
    assert result.exit_code == 0 and "bit-exact: 64 inputs" in result.output, result.output
    result = CliRunner().invoke(main, ["emulate", str(d / "m.keras")])
    assert result.exit_code == 2 and "needs calibration data" in result.output
    result = CliRunner().invoke(main, ["build", str(project / "model_int8.tflite"), "--board", "esp32c3",
                                       "--calibration", str(d / "calib.npy")])
    assert result.exit_code == 2 and "already quantized" in result.output
