"""Cortex-M4 instructions per inference under QEMU (mps2-an386), counted exactly by tinygen's TCG plugin,
beside TFLM's (the anchors: TFLM with its reference kernels and with CMSIS-NN, same machine, same counting),
and the same inputs' counts on Cortex-M7 (mps2-an500), rv32imc (qemu-riscv32) and the Xtensa lx106 ISA (QEMU sim;
a proxy for the ESP32's LX6).

Each run also compares every output byte with the tflite-micro interpreter.
"""
from __future__ import annotations

import os

from emulator import MODELS, MODELS_DIR
from memory import anchors

from tinygen import progress
from tinygen.compiler import compile_model
from tinygen.emulation import emulate, random_inputs


def _mean(counts: list[int] | None) -> float | None:
    return sum(counts) / len(counts) if counts else None


# rv32imc instructions per inference of the portable kernels on main 61252d2 (issue 12's baseline: mean of 2
# random inputs); the speed goal is half of these.
RV32_BASELINE = {"ad01_int8": 2_232_453, "kws_ref_model": 22_482_092, "pretrainedResnet_quant": 82_414_758,
                 "str_ww_ref_model": 5_674_403, "vww_96_int8": 59_309_968}
# Targets each backend runs on beside Cortex-M4 (CMSIS-NN is Arm's library: no RISC-V or Xtensa rows)
OTHER_TARGETS = {"portable": ("cortex-m7", "rv32imc", "xtensa"), "specialized": ("cortex-m7", "rv32imc", "xtensa"),
                 "cmsis-nn": ("cortex-m7",)}


def measure(model: str, count: int, backend: str) -> dict:
    path = MODELS_DIR / f"{model}.tflite"
    program = compile_model(path, backend=backend, core="cortex-m4")
    inputs = random_inputs(program.input, count, seed=1)
    result = emulate(path, inputs=inputs, target="cortex-m4", backend=backend)
    mismatched, other = result.mismatched_bytes, {}
    for target in OTHER_TARGETS[backend]:
        run = emulate(path, inputs=inputs, target=target, backend=backend)
        mismatched += run.mismatched_bytes
        other[target] = _mean(run.instructions)
    return dict(model=model, backend=backend, inputs=count, mismatched=mismatched,
                macs=sum(layer.macs for layer in program.layers), insns=_mean(result.instructions), other=other,
                note=result.note)


def _count(value: float | None) -> str:
    return f"{value:,.0f}" if value is not None else "—"


def _table(rows: list[dict]) -> str:
    ref = anchors()
    lines = ["| model | kernels | inputs | mismatching bytes | MACs | Cortex-M4 instructions / inference | "
             "instructions / MAC | TFLM reference kernels | TFLM CMSIS-NN | tinygen / TFLM reference | "
             "tinygen / TFLM CMSIS-NN | Cortex-M7 | rv32imc | rv32imc / portable at 61252d2 | lx106 ISA |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        a, other, insns = ref.get(r["model"], {}), r["other"], r["insns"]
        rv32 = other.get("rv32imc")
        rv32_ratio = f"{rv32 / RV32_BASELINE[r['model']]:.2f}" if rv32 and r["model"] in RV32_BASELINE else "—"
        tail = f"{_count(other.get('cortex-m7'))} | {_count(rv32)} | {rv32_ratio} | {_count(other.get('xtensa'))} |"
        head = f"| {r['model']} | {r['backend']} | {r['inputs']} | {r['mismatched']} | {r['macs']:,} | "
        if insns is None:
            lines.append(head + f"— ({r['note']}) | | | | | | {tail}")
            continue
        tflm_ref, tflm_cmsis = a.get("insns_reference"), a.get("insns_cmsis_nn")
        ratio = lambda x: f"{insns / x:.2f}" if x else "—"  # noqa: E731
        lines.append(head + f"{insns:,.0f} | {insns / r['macs']:.2f} | {tflm_ref or 0:,} | {tflm_cmsis or 0:,} | "
                     f"{ratio(tflm_ref)} | {ratio(tflm_cmsis)} | {tail}")
    return "\n".join(lines)


def run(count: int) -> str:
    backends = ["portable", "specialized"] + (["cmsis-nn"] if os.environ.get("TINYGEN_CMSIS_NN") else [])
    runs = [(m, b) for m in MODELS if (MODELS_DIR / f"{m}.tflite").exists() for b in backends]
    rows = []
    with progress.bar("benchmark: instructions under QEMU", len(runs)) as bar:
        for m, b in runs:
            rows.append(measure(m, count, b))
            bar.advance()
    note = ("" if "cmsis-nn" in backends else
            "\n\nCMSIS-NN rows need TINYGEN_CMSIS_NN=<CMSIS-NN source tree> (not set in this run).")
    return (f"Mean over {count} random inputs; counts vary by a few hundred instructions between inputs (data-"
            "dependent branches in requantization and softmax). arm-none-eabi-gcc -O2, -mcpu=cortex-m4 -mfpu=fpv4-"
            "sp-d16 -mfloat-abi=hard. MACs are tinygen's count per layer (convolutions, fully connected, "
            "average pooling). TFLM columns: ../shared/anchors/tflm-cmsis-nn-cortex-m4.json (Cortex-M4 only). The "
            "same inputs run on Cortex-M7 (mps2-an500, -mcpu=cortex-m7 -mfpu=fpv5-d16), rv32imc (riscv64-unknown-"
            "elf-gcc -O2 -march=rv32imc, qemu-riscv32; the last ratio is to the portable kernels of main 61252d2, "
            "issue 12's baseline) and the Xtensa lx106 ISA (xtensa-lx106-elf-gcc -O2 -mlongcalls under "
            "qemu-system-xtensa -M sim -cpu lx106, `tinygen emulate --target xtensa`); mismatching bytes add every "
            "target's. lx106 is a proxy for the "
            "ESP32: its LX6 adds MAC16, MUL32_HIGH, zero-overhead loops, MIN/MAX and CLAMPS, so the lx106 builds "
            "every 64-bit product of requantization from 16-bit halves in a libgcc helper."
            + note + "\n\n" + _table(rows))
