"""A model's file name becomes its C prefix and file names: whatever it is, the project's sources must not
collide with a kernel, the harness, a C library header or each other."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.helpers import REPO
from tinygen.boards import get_board
from tinygen.compiler import c_identifier
from tinygen.emulator import host, qemu
from tinygen.project import generate

DIGITS = REPO / "examples" / "digits" / "digits_int8.tflite"
CLASHING = ["tg_add", "tg_conv2d", "tg_common", "main", "arduino_main", "arduino", "string", "stdint", "tgmath",
            "arm_nnfunctions", "esp_cpu", "tg"]


@pytest.mark.parametrize("name", CLASHING)
def test_reserved_names_get_a_prefix(name):
    assert c_identifier(name) == f"model_{name}"
    assert c_identifier(name.upper()) == f"model_{name}"  # Arduino.h and arduino.h are one file on macOS


def test_ordinary_names_stay():
    assert [c_identifier(n) for n in ("kws", "KWS-ref model", "8bit", "tgx")] == ["kws", "kws_ref_model",
                                                                                   "m_8bit", "tgx"]


@pytest.mark.parametrize("name", ["tg_conv2d", "main", "string"])
def test_clashing_model_name_builds_and_runs(tmp_path, name):
    """The project's sources flattened into one directory (as the QEMU build does), cross-compiled for the
    board's core and run: PASS."""
    t = qemu.target("cortex-m4")
    if shutil.which(t.compiler) is None or shutil.which(t.emulator[0]) is None:
        pytest.skip(f"{t.compiler} or {t.emulator[0]} not installed ({t.packages})")
    model = tmp_path / f"{name}.tflite"
    shutil.copy(DIGITS, model)
    project = generate(model, get_board("nucleo_f446re"), backend="portable")
    sources = {}
    for rel, data in project.files.items():
        if rel == "src/main.c" or (rel.startswith("lib/") and rel.endswith((".c", ".h"))):
            assert Path(rel).name not in sources, f"two project files are named {Path(rel).name}"
            sources[Path(rel).name] = data.decode()
    elf = qemu.build(sources, t, host.WARNINGS + ["-O2"])
    run = subprocess.run([*t.emulator, str(elf)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and ": PASS" in run.stdout + run.stderr, run.stdout + run.stderr
