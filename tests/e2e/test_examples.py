"""The examples end to end: train → int8 → projects for a Cortex-M and an ESP32 board → generated C bit-exact on
the host and under QEMU → float / int8 / C scores. Digits trains fully (its int8 accuracy must stay within 2
points of float); the KWS, anomaly, gestures (GRU) and ONNX digits examples run in quick mode. Also the committed digits model the README
starts with."""
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.support.helpers import REPO

EXAMPLES = REPO / "examples"


def run_example(name: str, out: Path, *args: str) -> dict:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / name / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    argv = sys.argv
    sys.argv = ["train.py", "--out", str(out), *args]
    try:
        return module.main()
    finally:
        sys.argv = argv


def check_projects(result: dict) -> None:
    first, second = result["projects"]
    assert (first / "model_int8.tflite").read_bytes() == result["tflite"].read_bytes()
    assert "Quantization report" in (first / "quantization_report.txt").read_text()
    for project in (first, second):
        assert (project / "platformio.ini").is_file() and (project / "src" / "main.c").is_file()


def test_digits_int8_within_two_points_of_float(tmp_path):
    result = run_example("digits", tmp_path, "--qemu-samples", "30")
    assert result["exact"]
    assert result["c"] == result["int8"]
    assert result["float"] >= 0.9
    assert abs(result["float"] - result["int8"]) <= 0.02, result["scores"]
    check_projects(result)


@pytest.mark.parametrize("name,floor", [("kws", 0.4), ("anomaly", 0.6), ("gestures", 0.5), ("onnx_digits", 0.7)])
def test_quick_examples(tmp_path, name, floor):
    result = run_example(name, tmp_path, "--quick")
    assert result["exact"]
    assert result["c"] == result["int8"]
    assert result["float"] >= floor, result["scores"]  # it learned something
    assert abs(result["float"] - result["int8"]) <= 0.05, result["scores"]
    check_projects(result)


def test_committed_digits_model(tmp_path):
    """examples/digits/digits_int8.tflite (from `train.py --release`): small, and right on its sample digits."""
    from click.testing import CliRunner

    import tinygen
    from tinygen.cli import main

    model = EXAMPLES / "digits" / "digits_int8.tflite"
    inputs = np.load(EXAMPLES / "digits" / "sample_inputs.npy")
    labels = np.load(EXAMPLES / "digits" / "sample_labels.npy")
    assert model.stat().st_size < 100_000
    result = tinygen.emulate(model, inputs=inputs)
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert np.mean(result.outputs.reshape(len(labels), -1).argmax(1) == labels) >= 0.9
    cli = CliRunner().invoke(main, ["emulate", str(model), "--input", str(EXAMPLES / "digits" / "sample_inputs.npy")])
    assert cli.exit_code == 0 and "bit-exact: 100 inputs" in cli.output, cli.output


def test_compress_example(tmp_path):
    """examples/compress in quick mode: teacher, distilled student and its two pruned forms each bit-exact on the
    host and under QEMU; the pruned students reach their patterns, arrive at tinygen still wrapped, and the
    unstructured one runs in fewer Cortex-M4 instructions than the dense student."""
    from tinygen.frontend.tflite import read_tflite
    from tinygen.sparsity import analyse

    result = run_example("compress", tmp_path, "--quick")
    assert result["exact"]
    rows = {r["name"]: r for r in result["rows"]}
    assert list(rows) == ["teacher", "student (distilled)", "student, 75% unstructured", "student, 2:4 structured"]
    for r in rows.values():
        assert r["c"] == r["int8"]
        check_projects(r)
    dense, unstructured, structured = (rows[n] for n in list(rows)[1:])
    nonzero, total = unstructured["weights"]
    assert abs(nonzero / total - 0.25) < 0.01 and structured["weights"][1] == dense["weights"][1] == total
    graph = read_tflite(structured["tflite"])
    conv = [op for op in graph.ops if op.kind == "CONV_2D"][1]  # 16 inputs: whole groups of 4 along depth
    weights = graph.tensors[conv.inputs[1]].data
    assert analyse(weights.reshape(len(weights), -1), weights.shape[-1]).n_of_m == (2, 4)
    assert unstructured["sparse_layers"] != "0 of 4"
    assert unstructured["instructions"]["nucleo_f446re"] < dense["instructions"]["nucleo_f446re"]
    assert result["table"].count("\n") == 5
