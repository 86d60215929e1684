"""Every .tflite model in TensorFlow Lite Micro's repository (TINYGEN_TFLM_DIR = a checkout: its examples,
models/, integration tests and the Xtensa PyTorch MobileNetV2 export): does TFLM's reference interpreter run it,
does tinygen compile it, and are all output bytes equal over random inputs on the host; the first model of each
folder also under QEMU Cortex-M4 and rv32imc. Float32 outputs on the targets are compared by their worst
difference (newlib's expf/tanhf are not the host's).

Usage: python bench/tflm_models.py [--count 100] [--qemu-count 1] [--no-qemu]   (prints the markdown section)
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import numpy as np

from tinygen.emulation import emulate
from tinygen.emulator import qemu
from tinygen.errors import TinygenError

TFLM_DIR = "TINYGEN_TFLM_DIR"
TARGETS = ("cortex-m4", "rv32imc")


def tflm_runs(path: Path) -> str | None:
    """For a model tinygen refuses: None where TFLM's interpreter runs it on zeros, else its one-line reason."""
    from tflite_micro.python.tflite_micro import runtime

    try:
        interpreter = runtime.Interpreter.from_file(str(path))
        detail = interpreter.get_input_details(0)
        interpreter.set_input(np.zeros(detail["shape"], detail["dtype"]), 0)
        interpreter.invoke()
    except Exception as error:  # noqa: BLE001 - any failure of TFLM's means it cannot run the model
        return str(error).splitlines()[0][:120] if str(error) else type(error).__name__
    return None


def installed(target: str) -> bool:
    t = qemu.TARGETS[target]
    return all(shutil.which(tool) for tool in (t.compiler, t.emulator[0]))


def verdict(result) -> str:
    if result.exact:
        return "0 bytes"
    outputs = result.outputs if isinstance(result.outputs, np.ndarray) else next(iter(result.outputs.values()))
    if outputs.dtype == np.float32:
        return f"max diff {result.max_abs_diff:.2g}"
    return f"{result.mismatched_bytes} bytes"


def measure(path: Path, count: int, targets: tuple[str, ...], qemu_count: int) -> dict:
    """The model's row; emulating it runs TFLM on the same inputs, so only a refused model is asked of TFLM
    alone."""
    try:
        result = emulate(path, count=count, seed=1)
    except TinygenError as error:
        return {"tflm": tflm_runs(path), "tinygen": f"refused: {error.problem}"}
    row = {"tflm": None, "tinygen": "compiled", "host": verdict(result)}
    for target in targets:
        on_target = emulate(path, count=qemu_count, seed=2, target=target)
        mean = sum(on_target.instructions) / len(on_target.instructions)
        row[target] = f"{verdict(on_target)}, {mean:,.0f} instr."
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--qemu-count", type=int, default=1)
    parser.add_argument("--no-qemu", action="store_true")
    args = parser.parse_args()
    root = Path(os.environ.get(TFLM_DIR, ""))
    if not os.environ.get(TFLM_DIR) or not root.is_dir():
        print(f"error: {TFLM_DIR} must name a TFLM checkout — fetch github:tensorflow/tflite-micro and point it "
              "there", file=sys.stderr)
        return 2
    targets = () if args.no_qemu else tuple(t for t in TARGETS if installed(t))
    paths = sorted(root.rglob("*.tflite"), key=lambda p: (str(p.parent), len(p.stem), p.stem))
    folders: dict[Path, list[tuple[Path, dict]]] = {}
    for path in paths:
        sample = targets if path.parent not in folders else ()
        folders.setdefault(path.parent, []).append((path, measure(path, args.count, sample, args.qemu_count)))
    print(f"| folder | models | TFLM runs | tinygen bit-exact (host, {args.count} inputs each) | "
          + " | ".join(f"first model on {t} ({args.qemu_count} input)" for t in targets) + " |")
    print("|---|---:|---:|---:|" + "---|" * len(targets))
    for folder, rows in folders.items():
        first = rows[0][1]
        cells = [f"`{folder.relative_to(root)}`", str(len(rows)), str(sum(r["tflm"] is None for _, r in rows)),
                 str(sum(r.get("host") == "0 bytes" for _, r in rows))] + [first.get(t, "—") for t in targets]
        print("| " + " | ".join(cells) + " |")
    everything = [(path, row) for rows in folders.values() for path, row in rows]
    print(f"\n{len(everything)} models; TFLM runs {sum(r['tflm'] is None for _, r in everything)}; tinygen "
          f"bit-exact on the host for {sum(r.get('host') == '0 bytes' for _, r in everything)}. The others:\n")
    print("| model | TFLM | tinygen |\n|---|---|---|")
    for path, row in everything:
        if row.get("host") != "0 bytes":
            tflm = "runs it" if row["tflm"] is None else f"cannot run it: {row['tflm']}"
            host = f", {row['host']}" if "host" in row else ""
            print(f"| `{path.relative_to(root)}` | {tflm} | {row['tinygen']}{host} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
