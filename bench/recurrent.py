"""Recurrent and audio models from TensorFlow Lite Micro's repository (TINYGEN_TFLM_DIR = a checkout): RAM
beside TFLM's arena, Cortex-M4 instructions per backend, host time beside TFLM's reference interpreter, every
output byte compared (independent samples, and one sequence carrying the state).

Usage: python bench/recurrent.py [--count 100] [--qemu-count 3]   (prints the markdown section)
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import emulator  # noqa: E402
import memory  # noqa: E402

from tinygen import progress  # noqa: E402
from tinygen.compiler import compile_model  # noqa: E402
from tinygen.emulation import emulate, random_inputs  # noqa: E402
from tinygen.measure import footprint  # noqa: E402

TFLM_DIR = "TINYGEN_TFLM_DIR"
MODELS = {  # name → path in a TFLM checkout
    "mnist_lstm": "tensorflow/lite/micro/examples/mnist_lstm/trained_lstm_int8.tflite",
    "micro_speech_lstm": "third_party/xtensa/examples/micro_speech_lstm/micro_speech_lstm.tflite",
    "dtln_noise_suppression": "tensorflow/lite/micro/examples/dtln/dtln_noise_suppression.tflite",
    "keyword_scrambled (SVDF, int16 state)": "tensorflow/lite/micro/models/keyword_scrambled.tflite",
    "keyword_scrambled_8bit (SVDF, int8 state)": "tensorflow/lite/micro/models/keyword_scrambled_8bit.tflite",
}


def _mean(counts) -> float | None:
    return sum(counts) / len(counts) if counts else None


def measure(name: str, path: Path, count: int, qemu_count: int) -> dict:
    program = compile_model(path, core="cortex-m4")
    fp = footprint(program)
    ops = sorted({layer.op.kind for layer in program.layers if layer.op.kind in ("UNIDIRECTIONAL_SEQUENCE_LSTM",
                                                                                  "SVDF")})
    row = dict(name=name, ops=ops, macs=sum(layer.macs for layer in program.layers), arena=program.arena_size,
               state=program.state_size, stack=fp.stack_bytes, tflm=memory.tflm_arena(path), m4={})
    row["host"] = emulator.measure(name, count, path=path)
    sequence = emulate(path, inputs=random_inputs(program.input, count, 1), sequence=True)
    row["mismatched"] = row["host"]["mismatched"] + sequence.mismatched_bytes
    inputs = random_inputs(program.input, qemu_count, 2)
    for backend in ["portable", "specialized"] + (["cmsis-nn"] if os.environ.get("TINYGEN_CMSIS_NN") else []):
        run = emulate(path, inputs=inputs, target="cortex-m4", backend=backend)
        row["mismatched"] += run.mismatched_bytes
        row["m4"][backend] = _mean(run.instructions)
    return row


def table(rows: list[dict]) -> str:
    backends = list(rows[0]["m4"]) if rows else []
    lines = ["| model | recurrent ops | MACs | TFLM arena (head + tail) | tinygen arena | state | stack | "
             "tinygen RAM / TFLM arena | mismatching bytes | " + " | ".join(f"M4 instructions, {b}" for b in backends)
             + " | instructions / MAC (best) | host ms, tinygen / TFLM reference |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|" + "---:|" * len(backends) + "---:|---:|"]
    for r in rows:
        t, ram = r["tflm"], r["arena"] + r["state"] + r["stack"]
        counts = [r["m4"][b] for b in backends]
        best = min(c for c in counts if c)
        h = r["host"]
        lines.append(f"| {r['name']} | {', '.join(r['ops'])} | {r['macs']:,} | {t['total']:,} ({t['head']:,} + "
                     f"{t['tail']:,}) | {r['arena']:,} | {r['state']:,} | {r['stack']:,} | {ram / t['total']:.2f} | "
                     f"{r['mismatched']} | " + " | ".join(f"{c:,.0f}" for c in counts) +
                     f" | {best / r['macs']:.1f} | {h['host_ms']:.3f} / {h['tflm_ms']:.3f} "
                     f"({h['host_ms'] / h['tflm_ms']:.2f}×) |")
    return "\n".join(lines)


def run(count: int, qemu_count: int) -> str:
    root = os.environ.get(TFLM_DIR)
    found = {n: Path(root) / p for n, p in MODELS.items() if root and (Path(root) / p).exists()}
    if not found:
        return f"Not measured in this run: {TFLM_DIR} is not set to a TFLM checkout holding these models."
    rows = []
    with progress.bar("benchmark: recurrent models", len(found)) as bar:
        for name, path in found.items():
            rows.append(measure(name, path, count, qemu_count))
            bar.advance()
    return ("TFLM's own recurrent and audio models. RAM is tinygen's arena + its state region (LSTM/SVDF "
            "variables, kept between invokes) + the stack of one inference (Cortex-M4 build), beside the total "
            "arena of TFLM's recording allocator (reference kernels; its tail holds the variables). Mismatching "
            f"bytes add {count} independent random inputs on the host (state reset before each), one sequence of "
            f"{count} steps carrying the state, and the Cortex-M4 runs ({qemu_count} inputs per backend, "
            "instructions counted exactly under QEMU mps2-an386, as in the MLPerf table). TFLM's own Cortex-M4 "
            "counts for these models are not measured here: the anchors (../shared/anchors) cover the MLPerf "
            "models only, and TFLM's cross build needs third-party downloads this machine cannot make; the host "
            "column times both on x86-64 instead (tinygen's compiled harness, TFLM's reference interpreter). "
            "MACs are tinygen's count per layer (an LSTM's eight gate products per step, SVDF feature and time "
            "products).\n\n" + table(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100, help="random inputs (and sequence steps) per model")
    parser.add_argument("--qemu-count", type=int, default=3, help="random inputs per model and backend under QEMU")
    args = parser.parse_args()
    print(run(args.count, args.qemu_count))


if __name__ == "__main__":
    main()
