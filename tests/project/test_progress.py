"""Progress bars: drawn on a terminal (rich's console forced to one here) for emulator batches on the host and
under QEMU, the TFLM reference, calibration; nothing at all printed anywhere else; nested bars share one
display; a running program's progress is read from the records it has written."""
from __future__ import annotations

import io
import shutil
import sys

import pytest
from click.testing import CliRunner
from rich.console import Console

from tests.support.helpers import REPO
from tinygen import progress
from tinygen.cli import main
from tinygen.emulation import emulate

DIGITS = REPO / "examples" / "digits" / "digits_int8.tflite"


@pytest.fixture
def terminal(monkeypatch):
    """A terminal for the bars: what they drew is in the returned buffer."""
    screen = io.StringIO()
    monkeypatch.setattr(progress, "console", lambda: Console(file=screen, force_terminal=True,
                                                             force_interactive=True, width=100))
    return screen


def test_emulate_draws_bars_on_a_terminal(terminal, capfd):
    result = emulate(DIGITS, count=300)
    assert result.exact
    drawn = terminal.getvalue()
    assert "generated C (host)" in drawn and "TFLM reference" in drawn
    assert "/300" in drawn and "\x1b[" in drawn  # a bar, counting, with terminal control codes
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # only the terminal got them


@pytest.mark.skipif(not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")),
                    reason="needs qemu-system-arm and arm-none-eabi-gcc")
def test_qemu_batch_draws_a_bar(terminal):
    result = emulate(DIGITS, count=40, target="cortex-m4")
    assert result.exact
    assert "generated C (QEMU mps2-an386)" in terminal.getvalue()


def test_nothing_extra_off_a_terminal(capfd, monkeypatch):
    """stderr that is no terminal (a pipe, a CI log): nothing is printed."""
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    assert not progress.console().is_interactive
    emulate(DIGITS, count=50)
    out, err = capfd.readouterr()
    assert out == "" and err == "" and log.getvalue() == ""
    monkeypatch.undo()
    result = CliRunner().invoke(main, ["emulate", str(DIGITS), "--count", "50"])
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout == "bit-exact: 50 inputs, 0 mismatching bytes, max |diff| 0 (host, specialized kernels)\n"


def test_force_color_does_not_make_a_log_a_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert not progress.console().is_terminal


def test_nested_bars_share_one_display(terminal):
    with progress.bar("outer work", 3) as outer:
        for _ in range(3):
            with progress.bar("inner work", 2) as inner:
                assert inner.shown and outer.shown
                inner.advance(2)
            outer.advance()
    drawn = terminal.getvalue()
    assert "outer work" in drawn and "inner work" in drawn
    assert progress._live is None  # the display is gone with its last bar


def test_single_step_gets_no_bar(terminal):
    with progress.bar("one thing", 1) as b:
        assert not b.shown
    assert terminal.getvalue() == ""


class Recorder(progress.Bar):
    def __init__(self):
        super().__init__()
        self.seen: list[int] = []

    @property
    def shown(self) -> bool:
        return True

    def update(self, done: int) -> None:
        self.seen.append(done)


def test_run_counting_follows_the_records_written(tmp_path):
    script = ("import sys, time\n"
              "with open(sys.argv[1], 'wb', buffering=0) as f:\n"
              "    for i in range(5):\n"
              "        f.write(b'abcd'); time.sleep(0.15)\n"
              "print('done')\n")
    out = tmp_path / "out.bin"
    bar = Recorder()
    result = progress.run_counting([sys.executable, "-c", script, str(out)], bar, out, 4)
    assert result.returncode == 0 and result.stdout == "done\n"
    assert bar.seen and bar.seen == sorted(bar.seen) and 1 <= max(bar.seen) <= 5


def test_run_counting_times_out(tmp_path):
    import subprocess

    with pytest.raises(subprocess.TimeoutExpired):
        progress.run_counting([sys.executable, "-c", "import time; time.sleep(30)"], Recorder(),
                              tmp_path / "none.bin", 1, timeout=0.5)


def test_calibration_draws_a_bar(terminal, tmp_path):
    import numpy as np
    import tensorflow as tf

    from tests.support.helpers import keras_model
    from tinygen.frontend.keras import load_keras

    model = keras_model([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(3)], (6,), seed=2)
    calibration = np.random.default_rng(0).standard_normal((20, 6)).astype(np.float32)
    km = load_keras(model)
    km.quantize(km.calibration(calibration))
    drawn = terminal.getvalue()
    assert "calibrating (int8 quantization)" in drawn and "/20" in drawn
