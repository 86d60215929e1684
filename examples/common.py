"""What every example does after training: quantize, build for two boards, emulate bit-exact, compare scores.

float = the Keras model in TensorFlow; int8 = the quantized .tflite on TFLite Micro's reference kernels;
C = tinygen's generated code, compiled for the host (every test sample) and for each board's instruction set
under QEMU (Cortex-M4 for the Nucleo, rv32imc for the ESP32-C3; a subset of the samples, as QEMU is slower).
"""
from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# board → the QEMU target that runs its instruction set
BOARDS = {"nucleo_f446re": "cortex-m4", "esp32-c3-devkitm-1": "rv32imc"}


def arguments(description: str, here: Path, release: str | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    if release:
        p.add_argument("--release", action="store_true", help=release)
    p.add_argument("--quick", action="store_true", default=os.environ.get("TINYGEN_QUICK") == "1",
                   help="fewer samples and epochs (CI); also set by TINYGEN_QUICK=1")
    p.add_argument("--out", type=Path, default=here / "build", help="where the int8 model and the projects go")
    p.add_argument("--qemu-samples", type=int, default=None, help="test samples run under QEMU per board")
    return p.parse_args()


def accuracy(outputs: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(outputs.reshape(len(outputs), -1).argmax(1) == labels))


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve: the chance an anomaly scores above a normal sample (ties count half)."""
    pos, neg = scores[labels == 1], scores[labels == 0]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def run(model, name: str, x_cal: np.ndarray, x_test: np.ndarray, y_test: np.ndarray, score, score_name: str,
        out: Path, io: str = "float", classifier: bool = True, qemu_samples: int = 50, predict=None,
        source: str = "Keras") -> dict:
    """Quantize `model` (Keras, or an onnx.ModelProto with `predict` its float predictions), build it for BOARDS,
    emulate the generated C, print float / int8 / C scores.

    `score(outputs, x, y)` maps model outputs (float, [N, ...]) to the example's figure of merit."""
    import tinygen
    from tinygen.compiler import c_identifier
    from tinygen.frontend.tflite import read_tflite
    from tinygen.report_quant import dequantize_output, model_inputs

    out.mkdir(parents=True, exist_ok=True)
    boards = list(BOARDS)
    validation = (x_test, y_test) if classifier else x_test
    first = tinygen.compile(model, board=boards[0], calibration=x_cal, validation=validation, io=io,
                            output=out / f"{name}_{boards[0]}")
    print(first.report.text())
    model_name = model.graph.name if hasattr(model, "graph") else model.name
    tflite = out / f"{c_identifier(model_name)}.tflite"  # the file name names the C model: same on both boards
    shutil.copyfile(first.tflite, tflite)
    builds = [first] + [tinygen.compile(tflite, board=b, output=out / f"{name}_{b}") for b in boards[1:]]
    for build in builds:
        print(build.summary.splitlines()[0])

    graph = read_tflite(tflite)
    x_tensor, y_tensor = graph.tensors[graph.inputs[0]], graph.tensors[graph.outputs[0]]
    inputs = model_inputs(x_test, x_tensor)
    host = tinygen.emulate(tflite, inputs=inputs)
    subset = slice(0, min(qemu_samples, len(inputs)))
    on_boards = {b: tinygen.emulate(tflite, inputs=inputs[subset], target=t) for b, t in BOARDS.items()}

    float_out = np.asarray(predict(x_test) if predict else model.predict(x_test, verbose=0), np.float32)
    int8_out = dequantize_output(host.expected, y_tensor)
    c_out = dequantize_output(host.outputs, y_tensor)
    scores = {f"float ({source})": score(float_out, x_test, y_test), "int8 (TFLite Micro)": score(int8_out, x_test, y_test),
              "generated C (host)": score(c_out, x_test, y_test)}
    print(f"\n{score_name} on {len(x_test)} test samples:")
    for what, value in scores.items():
        print(f"  {what:<22} {value:.4f}")
    print("generated C vs TFLite Micro, byte for byte:")
    print(f"  host ({len(inputs)} samples): {host.summary().splitlines()[0]}")
    for b, r in on_boards.items():
        print(f"  {b} instruction set, {BOARDS[b]} under QEMU ({len(r.outputs)} samples): "
              f"{r.summary().splitlines()[0]}")
    exact = host.exact and all(r.exact for r in on_boards.values())
    return dict(scores=scores, float=scores[f"float ({source})"], int8=scores["int8 (TFLite Micro)"],
                c=scores["generated C (host)"], exact=exact, tflite=tflite, report=first.report,
                projects=[b.project for b in builds],
                instructions={b: float(np.mean(r.instructions)) for b, r in on_boards.items()})

