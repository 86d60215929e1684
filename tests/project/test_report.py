"""tinygen report: the header's arena macro is the report's arena; the flash figure is within 5 % of
arm-none-eabi-size of a separately linked firmware; the JSON keys are exactly those docs/report.md documents;
board fit, plot, stack."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from tests.support.helpers import MLPERF_MODELS, REPO, mlperf_model
from tests.support.schema_model import fc_model

from tinygen import codegen
from tinygen.cli import main
from tinygen.compiler import compile_model
from tinygen.measure import CORTEX_M4, footprint
from tinygen.report import format_table, memory_report

DOCS = REPO / "docs" / "report.md"
needs_arm = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="arm-none-eabi-gcc not installed")


def _fc(tmp_path) -> Path:
    path = tmp_path / "fc.tflite"
    path.write_bytes(fc_model(1))
    return path


@pytest.mark.parametrize("model", MLPERF_MODELS)
def test_arena_macro_equals_report(model):
    program = compile_model(mlperf_model(model))
    header = codegen.render_model(program)[f"{program.name}.h"]
    macro = int(re.search(rf"#define {program.name.upper()}_ARENA_SIZE (\d+)", header).group(1))
    assert macro == memory_report(program)["totals"]["arena_bytes"] == program.arena_size


def _firmware_flash(program, work: Path) -> int:
    """A minimal firmware built independently of tinygen.measure: main() calls invoke on static buffers; the
    C library's start-up is left out (-nostartfiles), unused functions dropped; arm-none-eabi-size text + data."""
    files = {**codegen.kernel_sources(program), **codegen.render_model(program)}
    n = program.name
    files["main.c"] = (f'#include "{n}.h"\nstatic {n}_input_t x[{n.upper()}_INPUT_SIZE];\n'
                       f"static {n}_output_t y[{n.upper()}_OUTPUT_SIZE];\n"
                       f"int main(void) {{ return {n}_invoke(x, y); }}\n")
    for name, text in files.items():
        (work / name).write_text(text)
    sources = sorted(f for f in files if f.endswith(".c"))
    subprocess.run(list(CORTEX_M4) + ["-std=c99", "-O2", "-ffunction-sections", "-fdata-sections", "-nostartfiles",
                                      "--specs=nosys.specs", "-Wl,-e,main", "-Wl,--gc-sections", "-I", "."]
                   + sources + ["-o", "fw.elf"], cwd=work, check=True, capture_output=True)
    out = subprocess.run(["arm-none-eabi-size", "fw.elf"], cwd=work, check=True, capture_output=True, text=True)
    text, data = out.stdout.splitlines()[1].split()[:2]
    return int(text) + int(data)


@needs_arm
@pytest.mark.parametrize("model", MLPERF_MODELS)
def test_flash_within_5_percent_of_arm_size(model, tmp_path):
    program = compile_model(mlperf_model(model), core="cortex-m4")
    t = memory_report(program, footprint(program))["totals"]
    assert t["flash_measured"]
    assert t["flash_weight_bytes"] + t["flash_code_bytes"] == t["flash_bytes"]
    reference = _firmware_flash(program, tmp_path)
    assert abs(t["flash_bytes"] - reference) <= 0.05 * reference, (t["flash_bytes"], reference)


@needs_arm
@pytest.mark.parametrize("model", MLPERF_MODELS)
def test_constants_stay_in_flash(model):
    """The linked model has no initialized RAM (nothing copied from flash at start-up) and its zeroed RAM is the
    arena alone."""
    program = compile_model(mlperf_model(model), core="cortex-m4")
    fp = footprint(program)
    assert fp.data_bytes == 0 and fp.bss_bytes == program.arena_size


@needs_arm
def test_stack_is_invokes_deepest_chain(tmp_path):
    program = compile_model(mlperf_model("kws_ref_model"), core="cortex-m4")
    t = memory_report(program, footprint(program))["totals"]
    assert t["stack_path"][0][0] == f"{program.name}_invoke"
    assert t["stack_bytes"] == sum(n for _, n in t["stack_path"]) > 0
    assert t["ram_bytes"] == t["arena_bytes"] + t["stack_bytes"]
    assert t["ram_with_io_bytes"] == t["ram_bytes"] + t["input_bytes"] + t["output_bytes"]


def _documented() -> dict[str, set[str]]:
    """{section: keys} from the tables of docs/report.md's JSON part."""
    sections, current = {}, None
    for line in DOCS.read_text().split("## JSON")[1].splitlines():
        if line.startswith("### "):
            current = line[4:].strip().strip("`").removesuffix("[]")
            sections[current] = set()
        elif current and line.startswith("| `"):
            sections[current] |= set(re.findall(r"`([a-z_]+)`", line.split("|")[1]))
    return sections


def test_json_keys_are_the_documented_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _fc(tmp_path)
    result = CliRunner().invoke(main, ["report", "fc.tflite", "--board", "nucleo_f446re", "--json", "--plot", "m.png"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    docs = _documented()
    assert set(data) == docs["Top level"]
    assert set(data["layers"][0]) == docs["layers"]
    assert set(data["buffers"][0]) == docs["buffers"]
    assert set(data["totals"]) == docs["totals"]
    assert set(data["board"]) == docs["board"]
    assert data["version"] == 2 and data["board"]["fits"]
    assert (tmp_path / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_board_that_is_too_small(tmp_path, monkeypatch):
    """A board file with too little RAM for the arena: the report says so (and the text form too)."""
    from tinygen.boards import get_board

    board = get_board("nucleo_f446re").path.read_text()
    board = re.sub(r"ram_bytes = [\d_]+", "ram_bytes = 8_000", board, count=1)
    board = board.replace('aliases = ["f446re"]', 'aliases = ["tiny"]')
    (tmp_path / "tinyboard.toml").write_text(board)
    monkeypatch.setenv("TINYGEN_TARGETS", str(tmp_path))
    result = CliRunner().invoke(main, ["report", str(mlperf_model("kws_ref_model")), "--board", "tinyboard", "--json"])
    assert result.exit_code == 0, result.output
    fit = json.loads(result.output)["board"]
    assert fit["flash_fits"] and not fit["ram_fits"] and not fit["fits"]
    text = CliRunner().invoke(main, ["report", str(mlperf_model("kws_ref_model")), "--board", "tinyboard"]).output
    assert "DOES NOT FIT" in text


def test_text_report_lists_every_layer(tmp_path):
    program = compile_model(mlperf_model("pretrainedResnet_quant"))
    result = CliRunner().invoke(main, ["report", str(mlperf_model("pretrainedResnet_quant"))])
    assert result.exit_code == 0, result.output
    assert "CONV_2D+ADD" in result.output and f"arena {program.arena_size:,} B" in result.output
    rows = [line for line in result.output.splitlines() if re.match(r"\s*\d+\s", line)]
    assert len(rows) == len(program.layers)
    assert np.all([str(i) == r.split()[0] for i, r in enumerate(rows)])


def test_without_a_cross_compiler_the_figures_say_estimate(tmp_path, monkeypatch):
    import tinygen.measure as measure

    real = shutil.which
    monkeypatch.setattr(measure.shutil, "which", lambda cmd: None if "none-eabi" in cmd else real(cmd))
    program = compile_model(_fc(tmp_path))
    fp = footprint(program)
    assert not fp.measured and fp.flash_bytes > fp.weight_bytes and "estimate" in fp.note
    assert "ESTIMATE" in format_table(memory_report(program, fp))


def test_sparsity_per_layer(tmp_path):
    """A 90 % pruned convolution: the report gives its zeros, the sparse kernel, the bytes it stores and the MACs
    it runs; a dense one the same facts of its dense kernel."""
    from tests.compiler.test_sparse_kernels import conv_model

    path = tmp_path / "pruned.tflite"
    path.write_bytes(conv_model(2, (1, 7, 5, 6), 40, 3, 2, 0, "random90", 1))
    report = memory_report(compile_model(path, backend="specialized", core="cortex-m4"))
    s = report["layers"][0]["sparsity"]
    assert report["layers"][0]["kernel"] == "tg_conv_sparse_gemm_s8"
    assert 0.85 < s["zero_fraction"] < 0.95 and s["pattern"] == "unstructured" and s["n_of_m"] is None
    assert s["dense_weight_bytes"] == 40 * 9 * 6 and s["stored_weight_bytes"] < 0.35 * s["dense_weight_bytes"]
    assert s["macs_dense"] == 12 * 40 * 54 and s["macs_executed"] < 0.2 * s["macs_dense"]
    assert "sparse kernels on 1 layers" in format_table(report)
    path.write_bytes(conv_model(2, (1, 7, 5, 6), 40, 3, 2, 0, "random50", 1))
    report = memory_report(compile_model(path, backend="specialized", core="cortex-m4"))
    s = report["layers"][0]["sparsity"]
    assert report["layers"][0]["kernel"] == "tg_conv_gemm_s8" and s["macs_executed"] == s["macs_dense"]
