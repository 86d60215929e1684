"""Cortex-M4 instructions per inference under QEMU (mps2-an386), counted exactly by tinygen's TCG plugin,
beside TFLM's (the anchors: TFLM with its reference kernels and with CMSIS-NN, same machine, same counting).

Each run also compares every output byte with the tflite-micro interpreter.
"""
from __future__ import annotations

import os

from emulator import MODELS, MODELS_DIR
from memory import anchors

from tinygen import progress
from tinygen.compiler import compile_model
from tinygen.emulation import emulate, random_inputs


def measure(model: str, count: int, backend: str) -> dict:
    path = MODELS_DIR / f"{model}.tflite"
    program = compile_model(path, backend=backend, core="cortex-m4")
    inputs = random_inputs(program.input, count, seed=1)
    result = emulate(path, inputs=inputs, target="cortex-m4", backend=backend)
    counts = result.instructions or []
    return dict(model=model, backend=backend, inputs=count, mismatched=result.mismatched_bytes,
                macs=sum(layer.macs for layer in program.layers),
                insns=sum(counts) / len(counts) if counts else None, note=result.note)


def _table(rows: list[dict]) -> str:
    ref = anchors()
    lines = ["| model | kernels | inputs | mismatching bytes | MACs | instructions / inference | instructions / MAC | "
             "TFLM reference kernels | TFLM CMSIS-NN | tinygen / TFLM reference | tinygen / TFLM CMSIS-NN |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        a = ref.get(r["model"], {})
        insns = r["insns"]
        if insns is None:
            lines.append(f"| {r['model']} | {r['backend']} | {r['inputs']} | {r['mismatched']} | {r['macs']:,} | "
                         f"— ({r['note']}) | | | | | |")
            continue
        tflm_ref, tflm_cmsis = a.get("insns_reference"), a.get("insns_cmsis_nn")
        ratio = lambda x: f"{insns / x:.2f}" if x else "—"  # noqa: E731
        lines.append(f"| {r['model']} | {r['backend']} | {r['inputs']} | {r['mismatched']} | {r['macs']:,} | "
                     f"{insns:,.0f} | {insns / r['macs']:.2f} | {tflm_ref or 0:,} | {tflm_cmsis or 0:,} | "
                     f"{ratio(tflm_ref)} | {ratio(tflm_cmsis)} |")
    return "\n".join(lines)


def run(count: int) -> str:
    backends = ["portable", "specialized"] + (["cmsis-nn"] if os.environ.get("TINYGEN_CMSIS_NN") else [])
    runs = [(m, b) for m in MODELS if (MODELS_DIR / f"{m}.tflite").exists() for b in backends]
    rows = []
    with progress.bar("benchmark: Cortex-M4 instructions (QEMU)", len(runs)) as bar:
        for m, b in runs:
            rows.append(measure(m, count, b))
            bar.advance()
    note = ("" if len(backends) > 1 else
            "\n\nCMSIS-NN rows need TINYGEN_CMSIS_NN=<CMSIS-NN source tree> (not set in this run).")
    return (f"Mean over {count} random inputs; counts vary by a few hundred instructions between inputs (data-"
            "dependent branches in requantization and softmax). arm-none-eabi-gcc -O2, -mcpu=cortex-m4 -mfpu=fpv4-"
            "sp-d16 -mfloat-abi=hard. MACs are tinygen's count per layer (convolutions, fully connected, "
            "average pooling). TFLM columns: ../shared/anchors/tflm-cmsis-nn-cortex-m4.json."
            + note + "\n\n" + _table(rows))
