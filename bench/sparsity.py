"""Sparse kernels on magnitude-pruned MLPerf Tiny models: Cortex-M4 instructions and weight flash, pruned / dense.

Usage: python bench/sparsity.py [--count 100] [--qemu-count 2] [MODEL ...]
Each model's CONV_2D and FULLY_CONNECTED int8 weights are pruned offline by magnitude, per layer: 50 %, 75 % and
90 % unstructured (the smallest |w| of the layer zeroed) and 2:4 along depth (in every group of 4 consecutive
weights of an output channel, the 2 smallest). Depthwise layers stay dense (rarely pruned). The pruned models are
written to a temporary directory, never kept. Dense and pruned are built in the same run with the specialized
backend: executed Cortex-M4 instructions per inference (QEMU, the counting plugin), the weight flash of the
CONV_2D and FULLY_CONNECTED layers (the weight streams their kernels read: packed weights, or a sparse kernel's
entries and per-channel counts; biases and multipliers are the same either way), the layers the sparse kernels
took, and
the bytes mismatching TFLM on the host (`--count` random inputs) and on QEMU Cortex-M4 (`--qemu-count`).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import layers  # noqa: E402
from emulator import MODELS_DIR  # noqa: E402

from tinygen.compiler import compile_model  # noqa: E402
from tinygen.emulation import emulate  # noqa: E402
from tinygen.report import SPARSE_KERNELS  # noqa: E402

MODELS = ["kws_ref_model", "pretrainedResnet_quant"]
PRUNINGS = ["50%", "75%", "90%", "2:4"]
PRUNED_KINDS = ("CONV_2D", "FULLY_CONNECTED")


def pruned_weights(w: np.ndarray, how: str) -> np.ndarray:
    """w [out_c, ...] int8 with its smallest magnitudes zeroed: a fraction ("75%") of the whole tensor, or "2:4"
    (the 2 smallest of every 4 consecutive along the flattened depth; a depth not of whole groups keeps its tail's
    weights only where they are the larger ones)."""
    flat = w.reshape(w.shape[0], -1).astype(np.int32)
    magnitude = np.abs(flat)
    if how.endswith("%"):
        count = int(round(flat.size * int(how[:-1]) / 100))
        order = np.argsort(magnitude, axis=None, kind="stable")[:count]
        flat.reshape(-1)[order] = 0
    else:
        n, m = (int(v) for v in how.split(":"))
        depth = flat.shape[1] // m * m
        groups = magnitude[:, :depth].reshape(flat.shape[0], -1, m)
        smallest = np.argsort(groups, axis=2, kind="stable")[:, :, :m - n]
        view = flat[:, :depth].reshape(groups.shape)
        np.put_along_axis(view, smallest, 0, axis=2)
        flat[:, :depth] = view.reshape(flat.shape[0], depth)
        flat[:, depth:] = 0
    return flat.astype(np.int8).reshape(w.shape)


def prune_model(tflite: bytes, how: str) -> bytes:
    """The model with every CONV_2D's and FULLY_CONNECTED's int8 weight buffer pruned (pruned_weights)."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(tflite, 0)
    builtin = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    for sg in model.subgraphs:
        for op in sg.operators:
            code = model.operatorCodes[op.opcodeIndex]
            kind = builtin.get(max(code.builtinCode, code.deprecatedBuiltinCode))
            if kind not in PRUNED_KINDS or len(op.inputs) < 2:
                continue
            t = sg.tensors[op.inputs[1]]
            buf = model.buffers[t.buffer]
            if t.type != schema.TensorType.INT8 or buf.data is None or len(buf.data) == 0:
                continue
            w = np.frombuffer(bytes(bytearray(buf.data)), np.int8).reshape(t.shape)
            buf.data = pruned_weights(w, how).view(np.uint8).reshape(-1)
    builder = flatbuffers.Builder(len(tflite) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def weight_bytes(program) -> int:
    """Flash of the weight streams of the CONV_2D and FULLY_CONNECTED layers (packed weights, or a sparse kernel's
    entries and counts)."""
    return sum(c.values.nbytes for layer in program.layers if layer.op.kind in PRUNED_KINDS
               for c in layer.consts if c.role in ("weights", "pairs"))


def measure(path: Path, count: int, qemu_count: int) -> dict:
    program = compile_model(path, backend="specialized", core="cortex-m4")
    m4 = layers.measure(str(path), "cortex-m4", "specialized", qemu_count)
    host = emulate(path, count=count, seed=3, target="host", backend="specialized")
    return dict(instructions=float(m4["counts"].sum()), weights=weight_bytes(program),
                sparse=sum(layer.kernel in SPARSE_KERNELS for layer in program.layers),
                gemms=sum(layer.op.kind in PRUNED_KINDS for layer in program.layers),
                mismatched=host.mismatched_bytes + m4["mismatched"])


def run(models: list[str], count: int, qemu_count: int) -> str:
    lines = [f"| model | pruning | sparse-kernel layers | Cortex-M4 instructions / inference | pruned / dense | "
             f"weight flash (conv, FC) | pruned / dense | mismatching bytes (host {count}, M4 {qemu_count} inputs) |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        for name in models:
            dense_path = MODELS_DIR / f"{name}.tflite"
            dense = measure(dense_path, count, qemu_count)
            lines.append(f"| {name} | dense | {dense['sparse']} of {dense['gemms']} | {dense['instructions']:,.0f} | "
                         f"1.00 | {dense['weights']:,} | 1.00 | {dense['mismatched']} |")
            for how in PRUNINGS:
                path = Path(tmp) / f"{name}_{how.replace(':', 'of').replace('%', 'pct')}.tflite"
                path.write_bytes(prune_model(dense_path.read_bytes(), how))
                r = measure(path, count, qemu_count)
                lines.append(f"| {name} | {how} | {r['sparse']} of {r['gemms']} | {r['instructions']:,.0f} | "
                             f"{r['instructions'] / dense['instructions']:.2f} | {r['weights']:,} | "
                             f"{r['weights'] / dense['weights']:.2f} | {r['mismatched']} |")
                print(lines[-1], flush=True)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("models", nargs="*", default=MODELS)
    parser.add_argument("--count", type=int, default=100, help="random inputs per model on the host")
    parser.add_argument("--qemu-count", type=int, default=2, help="random inputs per model under QEMU Cortex-M4")
    args = parser.parse_args()
    print(run(args.models, args.count, args.qemu_count))


if __name__ == "__main__":
    main()
