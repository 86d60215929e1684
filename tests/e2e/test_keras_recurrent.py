"""Keras recurrent layers through tinygen's Keras path: unrolled SimpleRNN, GRU and LSTM (plain int8 operators;
a SPLIT the converter leaves in float32 runs on the int8 bytes, passes/float_data_movement),
stateless and stateful (the state a resource variable: READ_VARIABLE / ASSIGN_VARIABLE, CALL_ONCE), bit-exact
with TFLM (stateful ones as one sequence, the state carried on both sides); loops (unroll=False) refused with
unroll=True as the fix; a native crash of the converter on a recurrent model names the layer."""
from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from tests.e2e.test_contain import _crash_in_child

keras = pytest.importorskip("keras")

import tinygen  # noqa: E402
from tinygen.errors import TinygenError  # noqa: E402

STEPS, FEATURES = 6, 3
LAYERS = {"simple_rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}


def recurrent_model(kind: str, stateful: bool = False, unroll: bool = True, seed: int = 0):
    keras.utils.set_random_seed(seed)
    x = keras.Input((STEPS, FEATURES), batch_size=1)
    layer = getattr(keras.layers, LAYERS[kind])(5, unroll=unroll, stateful=stateful, name=f"my_{kind}")
    return keras.Model(x, keras.layers.Dense(2)(layer(x)))


def _calibration(n: int = 24, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (n, STEPS, FEATURES)).astype(np.float32)


@pytest.mark.parametrize("stateful", [False, True], ids=["stateless", "stateful"])
@pytest.mark.parametrize("kind", ["simple_rnn", "gru", "lstm"])
def test_unrolled_recurrent_layers_are_bit_exact(kind, stateful):
    model = recurrent_model(kind, stateful, seed=len(kind) + stateful)
    result = tinygen.emulate(model, calibration=_calibration(), sequence=stateful)
    assert np.array_equal(result.outputs, result.expected), result.summary()
    quantized = tinygen.quantize(model, _calibration(), layer_errors=False)
    kinds = {op.kind for op in quantized.graph.ops}
    assert ({"READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE"} <= kinds) == stateful
    assert quantized.report.max_abs_error < 0.2  # int8 close to float on independent samples


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_loops_are_refused_with_unroll_as_the_fix(kind):
    with pytest.raises(TinygenError, match=rf"'my_{kind}' \(While\); recurrent layers become control flow") as e:
        tinygen.quantize(recurrent_model(kind, unroll=False), _calibration(8))
    assert "unroll=True" in e.value.fix


def test_converter_crash_names_the_recurrent_layer(tmp_path, monkeypatch):
    from tinygen.cli import main

    recurrent_model("gru").save(tmp_path / "rnn.keras")
    np.save(tmp_path / "calib.npy", _calibration(8))
    _crash_in_child(tmp_path, monkeypatch, "tinygen.frontend.keras:convert_saved_model", "SIGABRT")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "rnn.keras", "--board", "nucleo_f446re", "--calibration",
                                       "calib.npy", "-o", "proj"], prog_name="tinygen")
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and " — " in message
    assert message.startswith("error: TensorFlow's int8 conversion of 'rnn' crashed (killed by SIGABRT) on the "
                              "recurrent layer 'my_gru' (GRU); tinygen wrote nothing — build the recurrent layers "
                              "with unroll=True"), message
    assert not (tmp_path / "proj").exists()
