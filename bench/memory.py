"""RAM and flash on the MLPerf Tiny models, tinygen beside TFLite Micro, measured in the same run.

TFLM's figures come from the tflite-micro interpreter's recording allocator (print_allocations: total, head =
activations and scratch, tail = persistent data), printed from C, so read from a child process's output.
tinygen's come from tinygen.measure: the model linked for a Cortex-M4 with arm-none-eabi-gcc -O2 (flash =
arm-none-eabi-size text + data, text holding rodata) and gcc -fstack-usage along invoke's deepest call chain.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from emulator import MODELS, MODELS_DIR

from tinygen import progress
from tinygen.compiler import compile_model
from tinygen.measure import footprint

ANCHORS = Path(__file__).resolve().parents[2] / "shared" / "anchors" / "tflm-cmsis-nn-cortex-m4.json"
RAM_TARGET = 0.6  # tinygen's RAM must be at most this fraction of TFLM's total arena

_TFLM = """
import sys
from tflite_micro.python.tflite_micro import runtime
runtime.Interpreter.from_bytes(open(sys.argv[1], "rb").read()).print_allocations()
"""


def tflm_arena(path: Path) -> dict:
    """TFLM's recording allocator for the model: {"total", "head", "tail"} in bytes."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", _TFLM, str(path)], capture_output=True, text=True, env=env,
                         check=True)
    text = out.stdout + out.stderr
    return {k: int(re.search(rf"Arena allocation {k} (\d+) bytes", text).group(1)) for k in ("total", "head", "tail")}


def anchors() -> dict:
    return json.loads(ANCHORS.read_text())["models"] if ANCHORS.exists() else {}


def measure(model: str) -> dict:
    path = MODELS_DIR / f"{model}.tflite"
    program = compile_model(path, core="cortex-m4")
    fp = footprint(program)
    row = dict(model=model, model_bytes=path.stat().st_size, tflm=tflm_arena(path), arena=program.arena_size,
               whole=program.whole_tensor_bound, stack=fp.stack_bytes, io=program.input.nbytes + program.output.nbytes,
               flash=fp.flash_bytes, weights=fp.weight_bytes, code=fp.code_bytes, measured=fp.measured,
               anchor=anchors().get(model, {}).get("arena_used_bytes"))
    special = compile_model(path, backend="specialized", core="cortex-m4")  # the M4's default backend
    sfp = footprint(special)
    row.update(special_flash=sfp.flash_bytes, special_ram=special.arena_size + sfp.stack_bytes)
    if os.environ.get("TINYGEN_CMSIS_NN"):
        cmsis = compile_model(path, backend="cmsis-nn", core="cortex-m4")
        row["cmsis_arena"] = cmsis.arena_size
        row["cmsis_stack"] = footprint(cmsis).stack_bytes
    return row


def _ram_table(rows: list[dict]) -> str:
    lines = ["| model | TFLM total | TFLM head | TFLM tail | tinygen arena | arena ≤ head | stack | RAM = arena + stack "
             "| RAM / TFLM total | + I/O buffers | (RAM + I/O) / TFLM total | TFLM+CMSIS-NN arena (anchor) |",
             "|---|---:|---:|---:|---:|:---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        t, ram = r["tflm"], r["arena"] + r["stack"]
        ok = "✓" if ram <= RAM_TARGET * t["total"] else "✗"
        ok_io = "✓" if ram + r["io"] <= RAM_TARGET * t["total"] else "✗"
        anchor = f"{r['anchor']:,} ({ram / r['anchor']:.2f}×)" if r["anchor"] else "—"
        lines.append(f"| {r['model']} | {t['total']:,} | {t['head']:,} | {t['tail']:,} | {r['arena']:,} | "
                     f"{'✓' if r['arena'] <= t['head'] else '✗'} | {r['stack']:,} | {ram:,} | "
                     f"{ram / t['total']:.3f} {ok} | {ram + r['io']:,} | {(ram + r['io']) / t['total']:.3f} {ok_io} | "
                     f"{anchor} |")
    return "\n".join(lines)


def _plan_table(rows: list[dict]) -> str:
    cmsis = any("cmsis_arena" in r for r in rows)
    head = "| model | every tensor whole (op-wise lower bound) | tinygen arena, portable kernels | saved |"
    rule = "|---|---:|---:|---:|"
    if cmsis:
        head += " arena with CMSIS-NN kernels (no in-place) | CMSIS-NN stack |"
        rule += "---:|---:|"
    lines = [head, rule]
    for r in rows:
        if r["arena"] < r["whole"]:
            saved = f"{1 - r['arena'] / r['whole']:.0%}"
        elif r["arena"] == r["whole"]:
            saved = "none: no layer can run in place (fully connected layers read their whole input); at the bound"
        else:
            saved = f"none; the placement ends {r['arena'] - r['whole']} B above the bound"
        line = f"| {r['model']} | {r['whole']:,} | {r['arena']:,} | {saved} |"
        if cmsis:
            line += f" {r.get('cmsis_arena', 0):,} | {r.get('cmsis_stack', 0):,} |"
        lines.append(line)
    return "\n".join(lines)


def _flash_table(rows: list[dict]) -> str:
    lines = ["| model | .tflite bytes | tinygen flash (text + rodata + data) | weights and other constants | code | "
             "flash / .tflite | specialized backend's flash | specialized / portable | specialized RAM (arena + stack) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        how = "" if r["measured"] else " (estimate)"
        lines.append(f"| {r['model']} | {r['model_bytes']:,} | {r['flash']:,}{how} | {r['weights']:,} | "
                     f"{r['code']:,} | {r['flash'] / r['model_bytes']:.2f} | {r['special_flash']:,} | "
                     f"{r['special_flash'] / r['flash']:.3f} | {r['special_ram']:,} |")
    return "\n".join(lines)


def run() -> tuple[str, str]:
    """(RAM section, flash section) as markdown."""
    models = [m for m in MODELS if (MODELS_DIR / f"{m}.tflite").exists()]
    rows = []
    with progress.bar("benchmark: RAM and flash", len(models)) as bar:
        for m in models:
            rows.append(measure(m))
            bar.advance()
    ram = "\n\n".join([
        "RAM is tinygen's arena plus the stack of one inference. The arena holds no input or output tensor: the "
        "generated invoke reads the caller's input buffer and writes the caller's output buffer, which the "
        "columns \"+ I/O buffers\" add back. TFLM's arena (recording allocator, tflite-micro reference kernels) "
        "holds its input and output tensors in the head, its interpreter's persistent data in the tail; the "
        "anchor is TFLM with CMSIS-NN on a Cortex-M4 (arena used). Target: arena ≤ TFLM head and RAM ≤ "
        f"{RAM_TARGET} × TFLM total (✓/✗).",
        _ram_table(rows),
        "How the arena gets below whole tensors: residual ADDs computed in their convolution's epilogue, outputs "
        "written over inputs that die (elementwise ops, pooling and depthwise windows in raster order, 1x1 "
        "convolutions pixel by pixel, depthwise convolutions channel by channel through one plane of scratch); "
        "see tinygen/lowered/memory.py and `tinygen report MODEL`.",
        _plan_table(rows),
    ])
    flash = "\n\n".join([
        "Flash of the model linked from its invoke function for a Cortex-M4 (arm-none-eabi-gcc -O2 "
        "-mcpu=cortex-m4, --gc-sections; arm-none-eabi-size), next to the .tflite file. Constants are stored once, "
        "in flash, as they are (no copy to RAM); the .tflite's flatbuffer metadata and float quantization "
        "parameters are replaced by precomputed multipliers and shifts. The first columns are the portable "
        "kernels'; the last the specialized backend's (the Cortex-M4's default: widened depthwise weights, "
        "per-channel rounding constants, one function per layer configuration), whose flash issue 12 bounds at "
        "1.1x the portable build's.",
        _flash_table(rows),
    ])
    return ram, flash
