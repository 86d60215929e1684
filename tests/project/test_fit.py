"""`tinygen build`'s fit check and `tinygen report --board` use one set of figures: the model's flash and stack from
tinygen.measure (measured with the core's compiler, or an estimate labelled as one); build adds only the demo's
sample data (flash) and drops the caller's input buffer, which the demo keeps in flash."""
import dataclasses
import json
import shutil
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from tests.support import schema_model
from tinygen import measure
from tinygen.backends import cmsis_nn
from tinygen.boards import get_board
from tinygen.cli import main
from tinygen.errors import TinygenError
from tinygen.project import check_fit, generate


@pytest.fixture
def fc(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "fc.tflite"
    path.write_bytes(schema_model.fc_model(1))
    return path


# A Cortex-M board (measured where arm-none-eabi-gcc is installed), one without its compiler here (estimated),
# one whose start-up copies flash data into RAM.
@pytest.mark.parametrize("board_id", ["nucleo_f446re", "esp32dev", "teensy41"])
def test_build_and_report_give_the_same_figures(fc, board_id):
    board = get_board(board_id)
    fp = generate(fc, board).footprint
    result = CliRunner().invoke(main, ["report", str(fc), "--board", board_id, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["backend"] == board.backend  # both default to the board's kernels
    t, fit = report["totals"], report["board"]
    assert (fp.model.flash_bytes, fp.consts, fp.code) == (t["flash_bytes"], t["flash_weight_bytes"],
                                                           t["flash_code_bytes"])
    assert (fp.stack, fp.arena, fp.model.measured) == (t["stack_bytes"], t["arena_bytes"], t["flash_measured"])
    assert fp.samples == t["input_bytes"] + t["output_bytes"] and fp.output == t["output_bytes"]
    copied = fp.samples if board.flash_data_in_ram else 0
    assert fp.flash == fit["flash_needed_bytes"] + fp.samples
    assert fp.ram == fit["ram_needed_bytes"] - t["input_bytes"] + copied
    if fp.model.measured:
        assert fp.how == f"measured with {fp.model.compiler[0]}"
    else:
        assert fp.how == f"estimated (no {board.compiler} installed)"
    if shutil.which("arm-none-eabi-gcc"):
        assert fp.model.measured == board.is_cortex_m


def test_the_refusal_names_the_measured_figures(fc):
    board = get_board("nucleo_f446re")
    fp = generate(fc, board, backend="portable").footprint
    fp.board = dataclasses.replace(board, ram_bytes=board.framework_ram_bytes + 1)
    with pytest.raises(TinygenError) as e:
        check_fit(fp, "fc")
    assert f"fc needs about {(fp.ram) / 1024:.1f} KiB of RAM on the ST Nucleo-F446RE, model {fp.how}: " \
           f"arena {fp.arena / 1024:.1f} KiB + output {fp.output / 1024:.1f} KiB + stack {fp.stack / 1024:.1f} KiB" \
           in e.value.problem


def test_cmsis_nn_without_its_sources_is_estimated_with_the_portable_kernels(fc, monkeypatch):
    monkeypatch.delenv(cmsis_nn.ENV, raising=False)
    board = get_board("nucleo_f446re")
    fp = generate(fc, board, backend="cmsis-nn").footprint
    portable = generate(fc, board, backend="portable").footprint
    assert fp.how == f"estimated with the portable kernels ({cmsis_nn.ENV} not set), {measure.how(fp.model, board)}"
    assert fp.model == portable.model


def test_no_compiler_at_all(fc, monkeypatch):
    """Without any C compiler the check cannot be made: refused with what to install, written with --force."""
    monkeypatch.setattr(measure, "shutil", SimpleNamespace(which=lambda name: None))
    result = CliRunner().invoke(main, ["build", str(fc), "--board", "esp32dev", "-o", "fw"], prog_name="tinygen")
    assert result.exit_code == 2 and result.stderr.strip() == (
        "error: no C compiler here to measure the model's flash and stack: neither xtensa-esp32-elf-gcc nor cc is "
        "installed — install xtensa-esp32-elf-gcc (or gcc for an estimate), or pass --force to write the project "
        "without the fit check")
    result = CliRunner().invoke(main, ["build", str(fc), "--board", "esp32dev", "-o", "fw", "--force"])
    assert result.exit_code == 0 and "flash and RAM not checked: no C compiler here" in result.stdout


@pytest.mark.skipif(shutil.which("riscv64-unknown-elf-gcc") is None, reason="riscv64-unknown-elf-gcc not installed")
def test_riscv_measures_more_than_picolibcs_default_memory(tmp_path):
    """picolibc's default linker script has 64 KiB of flash and 32 KiB of RAM; the measurement link lifts them."""
    import tensorflow as tf

    from tests.support.helpers import int8_tflite, keras_model

    path = tmp_path / "wide.tflite"
    path.write_bytes(int8_tflite(keras_model([tf.keras.layers.Dense(320)], (320,)), (320,)))
    fp = generate(path, get_board("esp32-c3-devkitm-1")).footprint
    assert fp.model.measured and fp.consts > 100_000 and fp.model.flash_bytes > fp.consts


# A real `pio run` of KWS for the Nucleo-F446RE with the Arduino framework (../shared/notes/platformio-offline.md):
# flash and static RAM (.data + .bss) of the whole firmware, per backend.
REAL_PIO_RUN = {"portable": (58_400, 9_012), "cmsis-nn": (69_460, 16_868)}


@pytest.mark.parametrize("backend", sorted(REAL_PIO_RUN))
def test_fit_check_is_close_to_a_real_build(backend):
    """The fit check's totals are within 10 % of a real build, never below it by more than 3 % (they also count
    the stack, which a static RAM figure leaves out)."""
    import os
    import shutil as sh

    from tests.support.helpers import mlperf_model

    if sh.which("arm-none-eabi-gcc") is None:
        pytest.skip("arm-none-eabi-gcc is not installed: the figures would be estimates")
    if backend == "cmsis-nn" and not os.environ.get(cmsis_nn.ENV):
        pytest.skip(f"{cmsis_nn.ENV} is not set: CMSIS-NN's code cannot be measured")
    fp = generate(mlperf_model("kws_ref_model"), get_board("nucleo_f446re"), backend=backend).footprint
    for ours, real in zip((fp.flash, fp.ram), REAL_PIO_RUN[backend]):
        assert 0.97 * real <= ours <= 1.10 * real, (backend, ours, real)


def test_refusal_never_prints_two_equal_amounts():
    """A few bytes over the board's RAM would round to the same KiB: the message then gives bytes."""
    from types import SimpleNamespace

    from tinygen.errors import TinygenError
    from tinygen.project import check_fit

    board = SimpleNamespace(name="Tiny", flash_bytes=1 << 20, ram_bytes=131072, flash_data_in_ram=False,
                            framework_ram_bytes=0, framework_flash_bytes=0)
    fp = SimpleNamespace(board=board, flash=1000, ram=131080, arena=131000, state=0, output=16, stack=64,
                         how="measured", consts=0, code=0, samples=0)
    with pytest.raises(TinygenError) as e:
        check_fit(fp, "m")
    assert "needs about 131,080 B of RAM" in e.value.problem and e.value.problem.endswith("the board has 131,072 B")
