"""Write docs/benchmarks.md: every figure measured in this one run, TFLM beside tinygen.

Usage: python bench/run.py [--count 1000] [--qemu-count 10]
(set TINYGEN_CMSIS_NN=<CMSIS-NN source tree> for the CMSIS-NN rows, TINYGEN_TFLM_DIR=<TFLM checkout> for the
recurrent models)
"""
from __future__ import annotations

import argparse
import platform
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import emulator  # noqa: E402
import layers  # noqa: E402
import memory  # noqa: E402
import qemu  # noqa: E402
import recurrent  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000, help="random inputs per model")
    parser.add_argument("--qemu-count", type=int, default=10, help="random inputs per model under QEMU")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md")
    args = parser.parse_args()
    sections = [
        "# tinygen benchmarks",
        f"Measured {date.today().isoformat()} on {platform.machine()} ({platform.processor() or 'cpu'}), "
        f"Python {platform.python_version()}. Regenerate with `python bench/run.py`.",
        f"## Host emulator vs TFLM reference interpreter ({args.count} random inputs per model)",
        "Mismatching bytes compares every output byte of tinygen's generated C (the host's default backend, "
        f"{emulator.BACKEND}; host cc -O3 -march=native) with the tflite-micro reference interpreter; time per "
        "inference is the whole batch divided by the count, each side in one process that it starts (tinygen's "
        "compiled harness reading and writing files; TFLM's contained interpreter, which also parses the model), "
        "generating and compiling the C outside the timed region.",
        emulator.run(args.count),
    ]
    ram, flash = memory.run()
    sections += [
        "## RAM: tinygen vs TFLM's arena", ram,
        "## Flash", flash,
        f"## Instructions per inference: Cortex-M4, Cortex-M7, rv32imc, lx106 (QEMU, {args.qemu_count} random inputs per model)",
        qemu.run(args.qemu_count),
        "## Where the instructions go: Cortex-M4, specialized backend, per layer class (QEMU, 1 random input)",
        "Executed instructions per layer (bench/layers.py: a marker call after every layer, ~3 instructions each), "
        "summed over the five models by the kind of layer whose kernel ran; `python bench/layers.py MODEL "
        "--backend specialized` prints every layer.",
        layers.class_table([layers.measure(m, "cortex-m4", "specialized") for m in emulator.MODELS
                            if (emulator.MODELS_DIR / f"{m}.tflite").exists()]),
        "## Recurrent and audio models: LSTM and SVDF (TFLM's example models)",
        recurrent.run(min(args.count, 100), min(args.qemu_count, 3)),
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n\n".join(sections) + "\n")
    print(args.out.read_text())


if __name__ == "__main__":
    main()
