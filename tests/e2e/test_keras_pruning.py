"""Keras 2 models pruned with TensorFlow Model Optimization, handed over with their PruneLowMagnitude wrappers
(the object, or an .h5 saved with them): stripped, converted to the same int8 .tflite as the stripped model, and
bit-exact; importing TFMOT leaves this process's tf.keras on Keras 3."""
import os
import sys

import numpy as np
import pytest

SHAPE = (8, 8, 1)


@pytest.fixture(scope="module")
def pruned(tmp_path_factory):
    """A tf_keras CNN pruned to 75 % in training, still wrapped, saved as .h5; and its calibration data."""
    from tinygen.frontend import pruning

    tfmot = pruning._tfmot()
    import tf_keras as k

    k.utils.set_random_seed(3)
    model = k.Sequential([k.Input(SHAPE), k.layers.Conv2D(8, 3, activation="relu"), k.layers.Flatten(),
                          k.layers.Dense(10)], name="wrapped_cnn")
    wrapped = tfmot.sparsity.keras.prune_low_magnitude(
        model, pruning_schedule=tfmot.sparsity.keras.ConstantSparsity(0.75, 0, frequency=1))
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, (64,) + SHAPE).astype(np.float32)
    wrapped.compile("adam", "mse")
    wrapped.fit(x, rng.normal(size=(64, 10)), epochs=2, verbose=0,
                callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    d = tmp_path_factory.mktemp("pruned")
    wrapped.save(d / "wrapped.h5")
    return dict(wrapped=wrapped, stripped=tfmot.sparsity.keras.strip_pruning(wrapped), x=x, dir=d)


def test_wrappers_present_and_weights_pruned(pruned):
    from tinygen.frontend.pruning import has_wrappers

    assert has_wrappers(pruned["wrapped"]) and not has_wrappers(pruned["stripped"])
    kernels = [w for w in pruned["stripped"].get_weights() if w.ndim > 1]
    assert all(abs(np.mean(w == 0) - 0.75) < 0.01 for w in kernels)


def test_wrapped_object_and_file_convert_like_the_stripped_model(pruned):
    import tinygen

    calib = pruned["x"][:32]
    stripped = tinygen.quantize(pruned["stripped"], calib, layer_errors=False).tflite
    assert tinygen.quantize(pruned["wrapped"], calib, layer_errors=False).tflite == stripped
    assert tinygen.quantize(pruned["dir"] / "wrapped.h5", calib, layer_errors=False).tflite == stripped


@pytest.mark.parametrize("source", ["object", "wrapped.h5"])
def test_wrapped_model_bit_exact(pruned, source):
    import tinygen

    model = pruned["wrapped"] if source == "object" else pruned["dir"] / source
    result = tinygen.emulate(model, calibration=pruned["x"], io="int8")
    assert np.array_equal(result.outputs, result.expected), result.summary()


def test_tf_keras_stays_keras_3(pruned):
    import tensorflow as tf

    assert "TF_USE_LEGACY_KERAS" not in os.environ
    assert tf.keras.version().startswith("3.")


def test_missing_tfmot_is_a_one_line_error(pruned, monkeypatch):
    from click.testing import CliRunner

    from tinygen.cli import main

    monkeypatch.setitem(sys.modules, "tensorflow_model_optimization", None)  # import fails as when not installed
    np.save(pruned["dir"] / "calib.npy", pruned["x"])
    result = CliRunner().invoke(main, ["build", str(pruned["dir"] / "wrapped.h5"), "--board", "nucleo_f446re",
                                       "--calibration", str(pruned["dir"] / "calib.npy"),
                                       "-o", str(pruned["dir"] / "project")])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: the model carries pruning wrappers (PruneLowMagnitude)")
    assert '— pip install -e ".[prune]"' in result.output and "Traceback" not in result.output
    assert not (pruned["dir"] / "project").exists()
