"""Native crashes in what tinygen does not control (TensorFlow's converter and debugger, the TFLM interpreter)
are contained in a child process: one line, exit status 2, nothing written.

The crash is injected without test code in the package: a sitecustomize.py on the child's PYTHONPATH replaces
the contained step (imported by name in the child, see tinygen/contain.py) with one that kills its process."""
from __future__ import annotations

import os

import numpy as np
import pytest
from click.testing import CliRunner

from tests.support.schema_model import fc_model
from tinygen.cli import main

CRASH = """import os, signal
import {module} as target
def crash(*args, **kwargs):
    os.kill(os.getpid(), signal.{signal})
target.{function} = crash
"""


def _crash_in_child(tmp_path, monkeypatch, step: str, sig: str = "SIGSEGV") -> None:
    module, function = step.split(":")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(CRASH.format(module=module, function=function, signal=sig))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")]))


def _keras_files(tmp_path):
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(2)])
    model.save(tmp_path / "net.keras")
    np.save(tmp_path / "calib.npy", np.random.default_rng(0).standard_normal((16, 4)).astype(np.float32))


def _run(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, args, prog_name="tinygen")


def test_converter_crash_is_one_line_and_writes_nothing(tmp_path, monkeypatch):
    _keras_files(tmp_path)
    _crash_in_child(tmp_path, monkeypatch, "tinygen.frontend.keras:convert_saved_model")
    result = _run(tmp_path, monkeypatch, ["build", "net.keras", "--board", "nucleo_f446re",
                                          "--calibration", "calib.npy", "-o", "proj"])
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    message = result.stderr.strip()
    assert message.startswith("error: TensorFlow's int8 conversion of 'net' crashed (killed by SIGSEGV)")
    assert len(message.splitlines()) == 1 and " — " in message
    assert not (tmp_path / "proj").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calib.npy", "hook", "net.keras"]


def test_debugger_crash_keeps_the_build(tmp_path, monkeypatch):
    """The per-layer debugger is a diagnostic: its crash costs the report's layer table, not the build."""
    _keras_files(tmp_path)
    _crash_in_child(tmp_path, monkeypatch, "tinygen.frontend.keras:_layer_statistics")
    result = _run(tmp_path, monkeypatch, ["build", "net.keras", "--board", "nucleo_f446re",
                                          "--calibration", "calib.npy", "-o", "proj"])
    assert result.exit_code == 0, result.stderr
    report = (tmp_path / "proj" / "quantization_report.txt").read_text()
    assert "quantization debugger crashed" in report and "SIGSEGV" in report
    assert (tmp_path / "proj" / "model_int8.tflite").stat().st_size > 0


def test_oracle_crash_is_one_line(tmp_path, monkeypatch):
    (tmp_path / "model.tflite").write_bytes(fc_model(1))
    _crash_in_child(tmp_path, monkeypatch, "tinygen.oracle:run_reference", "SIGABRT")
    result = _run(tmp_path, monkeypatch, ["emulate", "model.tflite", "--count", "2", "--output", "y.npy"])
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stderr.strip().startswith("error: TensorFlow Lite Micro (the reference tinygen matches) crashed "
                                            "(killed by SIGABRT)")
    assert not (tmp_path / "y.npy").exists()


def test_contained_oracle_is_bit_exact_and_refusals_cross_over(tmp_path):
    """The child's results and TinygenErrors come back as if the step had run here."""
    from tinygen import contain, oracle
    from tinygen.errors import TinygenError

    x = np.random.default_rng(1).integers(-128, 128, (5, 1, 16), dtype=np.int8)
    assert np.array_equal(oracle.reference_outputs(fc_model(1), x), oracle.run_reference(fc_model(1), x))
    with pytest.raises(TinygenError, match="no such file"):
        contain.run("tinygen.arrays:load_array", "reading", "", str(tmp_path / "missing.npy"))
