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


SLEEP = """import os, time
import tinygen.oracle as target
def sleep(*args, **kwargs):
    open({marker!r}, "w").write(str(os.getpid()))
    time.sleep(60)
target.run_reference = sleep
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie has ended: only its parent has not reaped it yet
        return f.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_stopped_tinygen_leaves_no_child_and_no_files(tmp_path, sig):
    """kill or Ctrl-C while a contained step runs: the child ends with tinygen, its temporary directory (which
    holds the user's model) is deleted."""
    import signal
    import subprocess
    import sys
    import time

    hook, scratch, marker = tmp_path / "hook", tmp_path / "tmp", tmp_path / "child.pid"
    hook.mkdir()
    scratch.mkdir()
    (hook / "sitecustomize.py").write_text(SLEEP.format(marker=str(marker)))
    (tmp_path / "model.tflite").write_bytes(fc_model(1))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")]),
               TMPDIR=str(scratch), TINYGEN_CACHE=str(tmp_path / "cache"))
    proc = subprocess.Popen([sys.executable, "-m", "tinygen", "emulate", "model.tflite", "--count", "2"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists() or not marker.read_text():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    child = int(marker.read_text())
    proc.send_signal(getattr(signal, sig))
    proc.communicate(timeout=30)
    assert proc.returncode != 0
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)
    assert [p.name for p in scratch.iterdir() if p.name.startswith("tinygen_step_")] == []


def test_child_imports_the_parents_tinygen(tmp_path):
    """A tinygen imported from a path of the caller's (not the installed one) runs its own code in the child."""
    import shutil
    import subprocess
    import sys

    import tinygen

    copy = tmp_path / "copy"
    shutil.copytree(os.path.dirname(tinygen.__file__), copy / "tinygen")
    (copy / "tinygen" / "where_am_i.py").write_text("def where():\n    return __file__\n")  # only in the copy
    script = (f"import sys; sys.path.insert(0, {str(copy)!r}); from tinygen import contain; "
              "print(contain.run('tinygen.where_am_i:where', 'a step', 'no fix'))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(copy / "tinygen" / "where_am_i.py")
