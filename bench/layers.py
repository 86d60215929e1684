"""Where the instructions go: executed guest instructions per layer under QEMU, and instructions per MAC.

Usage: python bench/layers.py MODEL [MODEL ...] [--target cortex-m4] [--backend portable] [--count 1]
MODEL: an MLPerf Tiny name (ad01_int8, ...) or a .tflite path. The model is generated with a marker call after
every layer (codegen.render_model's layer_marks, never in a product), so the counting plugin latches once per
layer; each layer's count includes ~3 instructions of marker calls. Outputs are compared with TFLM.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from emulator import MODELS_DIR  # noqa: E402

from tinygen import oracle  # noqa: E402
from tinygen.compiler import compile_model  # noqa: E402
from tinygen.emulation import NUMPY_DTYPES, _cflags, compare, host_sources, random_inputs  # noqa: E402
from tinygen.emulator import qemu  # noqa: E402


def layer_class(layer) -> str:
    """The kind of layer that matters for a kernel's cost: pointwise / 3x3 / first convolutions, depthwise, ..."""
    kind, p = layer.op.kind, getattr(layer.params, "source", layer.params)  # a backend's parameters keep the op's
    if kind == "CONV_2D":
        g = p.win
        if p.in_c <= 3:
            return "conv, first layer (<= 3 input channels)"
        if (g.k_h, g.k_w) == (1, 1):
            return "conv 1x1"
        return f"conv {g.k_h}x{g.k_w}"
    if kind == "DEPTHWISE_CONV_2D":
        return f"depthwise {p.win.k_h}x{p.win.k_w}"
    return kind.lower()


def model_path(name: str) -> Path:
    path = Path(name)
    return path if path.suffix == ".tflite" else MODELS_DIR / f"{name}.tflite"


def measure(model: str, target: str, backend: str, count: int = 1) -> dict:
    """Per-layer mean instructions over `count` random inputs, the layers, and the mismatching bytes."""
    path = model_path(model)
    t = qemu.target(target)
    program = compile_model(path, backend=backend, core=t.core)
    inputs = random_inputs(program.input, count, seed=1)
    elf = qemu.build(host_sources(program, layer_marks=True), t, _cflags(program, None))
    layers = [layer for layer in program.layers if not layer.alias]
    run = qemu.run(elf, t, inputs, program.output.shape, NUMPY_DTYPES[program.output.dtype],
                   counts_per_inference=len(layers) + 1)
    if run.instructions is None:
        raise RuntimeError(run.note)
    counts = np.array(run.instructions, dtype=np.float64).reshape(count, len(layers) + 1).mean(axis=0)
    expected = oracle.reference_outputs(path.read_bytes(), inputs).reshape(run.outputs.shape)
    return dict(model=path.stem, target=target, backend=backend, layers=layers, counts=counts,
                mismatched=compare(run.outputs, expected).mismatched_bytes)


def _per_mac(insns: float, macs: int) -> str:
    return f"{insns / macs:.2f}" if macs else "—"


def layer_table(r: dict) -> str:
    lines = [f"### {r['model']} on {r['target']}, {r['backend']} ({r['mismatched']} mismatching bytes)", "",
             "| op | layer | kernel | instructions | MACs | instructions / MAC |", "|---:|---|---|---:|---:|---:|"]
    for layer, insns in zip(r["layers"], r["counts"]):
        lines.append(f"| {layer.op.index} | {layer.summary} | {layer.kernel} | {insns:,.0f} | {layer.macs:,} | "
                     f"{_per_mac(insns, layer.macs)} |")
    total, macs = float(r["counts"].sum()), sum(layer.macs for layer in r["layers"])
    lines.append(f"| | (return from invoke) | | {r['counts'][-1]:,.0f} | | |")
    lines.append(f"| | **total** | | **{total:,.0f}** | {macs:,} | {_per_mac(total, macs)} |")
    return "\n".join(lines)


def class_table(results: list[dict]) -> str:
    """Instructions per layer class, summed over the models and side by side per backend."""
    by: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    backends = list(dict.fromkeys(r["backend"] for r in results))
    for r in results:
        for layer, insns in zip(r["layers"], r["counts"]):
            cell = by[(layer_class(layer), r["backend"])]
            cell[0] += insns
            cell[1] += layer.macs
    classes = sorted({c for c, _ in by}, key=lambda c: -by[(c, backends[0])][0])
    head = " | ".join(f"{b} instructions | {b} / MAC" for b in backends)
    lines = [f"| layer class | MACs | {head} |", "|---|---:|" + "---:|---:|" * len(backends)]
    for c in classes:
        macs = by[(c, backends[0])][1]
        cells = " | ".join(f"{by[(c, b)][0]:,.0f} | {_per_mac(by[(c, b)][0], macs)}" for b in backends)
        lines.append(f"| {c} | {macs:,} | {cells} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+")
    parser.add_argument("--target", default="cortex-m4", choices=list(qemu.TARGETS))
    parser.add_argument("--backend", action="append", help="repeat to compare (default: portable)")
    parser.add_argument("--count", type=int, default=1, help="random inputs per model")
    args = parser.parse_args()
    results = [measure(m, args.target, b, args.count) for m in args.models for b in args.backend or ["portable"]]
    for r in results:
        print(layer_table(r) + "\n")
    print(f"### instructions per layer class ({', '.join(r['model'] for r in results[::len(args.backend or [1])])}, "
          f"{args.target})\n\n" + class_table(results))


if __name__ == "__main__":
    main()
