"""Host emulator vs the TFLM reference interpreter on the MLPerf Tiny models: bit-exactness over many random
inputs and time per inference, measured in the same run."""
from __future__ import annotations

import time
from pathlib import Path

from tinygen import backends, oracle, progress
from tinygen.compiler import compile_model
from tinygen.emulation import build_host, compare, random_inputs, run_executable

MODELS_DIR = Path(__file__).resolve().parents[2] / "shared" / "models" / "mlperf_tiny"
BACKEND = backends.default_for("host")  # what `tinygen emulate` runs
MODELS = ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "str_ww_ref_model", "vww_96_int8"]


def measure(model: str, count: int, seed: int = 0, path: Path | None = None) -> dict:
    """tinygen's host build and TFLM's reference interpreter on `count` random inputs of the model (an MLPerf
    Tiny name, or any name with its `path`)."""
    path = path or MODELS_DIR / f"{model}.tflite"
    program = compile_model(path, backend=BACKEND)
    inputs = random_inputs(program.input, count, seed)
    exe = build_host(program)  # generating and compiling the C (cached) stay outside the timed region
    start = time.perf_counter()
    outputs = run_executable(program, exe, inputs)
    host_s = time.perf_counter() - start
    start = time.perf_counter()
    expected = oracle.reference_outputs(path.read_bytes(), inputs).reshape(outputs.shape)
    tflm_s = time.perf_counter() - start
    result = compare(outputs, expected)
    return dict(model=model, inputs=count, mismatched=result.mismatched_bytes,
                host_ms=1e3 * host_s / count, tflm_ms=1e3 * tflm_s / count)


def table(rows: list[dict]) -> str:
    lines = ["| model | inputs | mismatching bytes | tinygen host ms/inference | TFLM reference ms/inference | ratio |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['inputs']} | {r['mismatched']} | {r['host_ms']:.3f} | "
                     f"{r['tflm_ms']:.3f} | {r['host_ms'] / r['tflm_ms']:.2f}× |")
    return "\n".join(lines)


def run(count: int) -> str:
    models = [m for m in MODELS if (MODELS_DIR / f"{m}.tflite").exists()]
    rows = []
    with progress.bar("benchmark: host emulator vs TFLM", len(models)) as bar:
        for m in models:
            rows.append(measure(m, count))
            bar.advance()
    return table(rows)
