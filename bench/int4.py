"""int4 weights vs int8 on one model: its CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED filters requantized to
int4 offline (symmetric, the filter's own per-channel or per-tensor scales; FULLY_CONNECTED per tensor, as TFLM
requires; biases rescaled to the new input x weight scales), written to a temp dir, then flash and Cortex-M4
instructions of both (portable and cmsis-nn backends) and the bit-exact status vs TFLM.

    python -m bench.int4 [MODEL] [--count N]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from ai_edge_litert import schema_py_generated as schema

from tests.support.schema_model import pack
from tinygen.ops import int4

MODEL = Path("/work/shared/models/mlperf_tiny/kws_ref_model.tflite")
KINDS = {getattr(schema.BuiltinOperator, k): k for k in int4.KINDS}


def requantize_to_int4(tflite: bytes) -> bytes:
    model = schema.ModelT.InitFromPackedBuf(tflite, 0)
    sg = model.subgraphs[0]
    for op in sg.operators:
        code = model.operatorCodes[op.opcodeIndex]
        kind = KINDS.get(max(code.builtinCode, code.deprecatedBuiltinCode))
        if kind is None:
            continue
        w = sg.tensors[op.inputs[1]]
        if w.type != schema.TensorType.INT8:
            continue
        axis = 3 if kind == "DEPTHWISE_CONV_2D" else 0
        shape = tuple(w.shape)
        q = np.frombuffer(model.buffers[w.buffer].data.tobytes(), np.int8).reshape(shape)
        scale = np.asarray(w.quantization.scale, np.float64)
        real = np.moveaxis(q.astype(np.float64), axis, 0).reshape(shape[axis], -1) * scale.reshape(-1, 1)
        if kind == "FULLY_CONNECTED":
            new_scale = np.array([np.abs(real).max() / 7 or 1.0])
        else:
            new_scale = np.where(np.abs(real).max(axis=1) > 0, np.abs(real).max(axis=1) / 7, 1.0)
        q4 = np.clip(np.round(real / new_scale.reshape(-1, 1)), -8, 7).astype(np.int8)
        q4 = np.moveaxis(q4.reshape((shape[axis],) + tuple(np.delete(shape, axis))), 0, axis)
        model.buffers[w.buffer].data = np.frombuffer(int4.pack(q4).tobytes(), np.uint8)
        w.type = schema.TensorType.INT4
        w.quantization.scale = [float(s) for s in new_scale]
        w.quantization.zeroPoint = [0] * len(new_scale)
        w.quantization.quantizedDimension = axis if len(new_scale) > 1 else 0
        if len(op.inputs) > 2 and op.inputs[2] >= 0:
            b = sg.tensors[op.inputs[2]]
            in_scale = float(sg.tensors[op.inputs[0]].quantization.scale[0])
            bias = np.frombuffer(model.buffers[b.buffer].data.tobytes(), np.int32).astype(np.float64)
            real_bias = bias * np.asarray(b.quantization.scale, np.float64)
            bias_scale = in_scale * np.broadcast_to(new_scale, bias.shape)
            model.buffers[b.buffer].data = np.frombuffer(
                np.round(real_bias / bias_scale).astype(np.int32).tobytes(), np.uint8)
            b.quantization.scale = [float(s) for s in bias_scale]
            b.quantization.zeroPoint = [0] * len(bias_scale)
    return pack(model)


def main() -> None:
    from tinygen.compiler import compile_model
    from tinygen.emulation import emulate
    from tinygen.measure import footprint

    parser = argparse.ArgumentParser()
    parser.add_argument("model", nargs="?", type=Path, default=MODEL)
    parser.add_argument("--count", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = {"int8": args.model, "int4": Path(tmp) / f"{args.model.stem}_int4.tflite"}
        paths["int4"].write_bytes(requantize_to_int4(args.model.read_bytes()))
        print("| weights | backend | flash (B) | of it weights (B) | M4 instructions | bit-exact |")
        print("|---|---|---:|---:|---:|---|")
        for weights, path in paths.items():
            for backend in ("portable", "cmsis-nn"):
                fp = footprint(compile_model(path, backend=backend, core="cortex-m4"))  # Cortex-M4 gcc
                r = emulate(path, count=args.count, target="cortex-m4", backend=backend)
                exact = np.array_equal(r.outputs, r.expected)
                print(f"| {weights} | {backend} | {fp.flash_bytes:,} | {fp.weight_bytes:,} | "
                      f"{int(np.mean(r.instructions)):,} | {'yes' if exact else 'NO'} ({args.count} inputs) |",
                      flush=True)


if __name__ == "__main__":
    main()
