"""On-ISA emulator: the generated C cross-compiled for a Cortex-M, RV32 or Xtensa core and run under QEMU.

Cortex-M: arm-none-eabi-gcc + newlib's rdimon, qemu-system-arm on an MPS2/MPS3 machine, semihosting for the
harness's files and exit status. rv32imc: riscv64-unknown-elf-gcc + picolibc (semihost), qemu-riscv32 in user
mode. xtensa: Debian's xtensa-lx106-elf-gcc + picolibc, qemu-system-xtensa's `sim` machine with the lx106 core,
simcall semihosting (tinygen's own start-up, simcall stubs and libgcc helpers: the package has none). A TCG
plugin (tg_insn_count.c) counts the guest instructions of every inference exactly.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from .. import progress
from ..errors import TinygenError
from ..toolchain import binutil
from . import host

HERE = resources.files("tinygen.emulator")
ARM_PACKAGES = "gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"
RV32_PACKAGES = "gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-user"
XTENSA_PACKAGES = "gcc-xtensa-lx106 binutils-xtensa-lx106 picolibc-xtensa-lx106-elf qemu-system-misc"
FAULT_STATUS = 70  # tg_cortex_m_startup.c's fault handlers
# A soft-float helper the linker did not find (__mulsf3, __floatsisf, __adddf3, ...).
_MISSING_FLOAT_HELPER = re.compile(r"undefined reference to `(__\w*[sd]f\w*)'")
XTENSA_FAULT = 0x80  # tg_xtensa_startup.c's exception vectors exit with 0x80 | EXCCAUSE
# Xtensa ISA exception causes a faulting guest is likely to show (the ISA reference's EXCCAUSE table).
EXCCAUSES = {0: "illegal instruction or trap", 2: "instruction fetch error", 3: "load/store error",
             6: "integer divide by zero", 9: "unaligned load/store", 14: "instruction address error",
             15: "load/store address error", 20: "instruction fetch prohibited", 28: "load prohibited",
             29: "store prohibited"}


@dataclass(frozen=True)
class Target:
    name: str
    core: str  # what the compiler sizes core-dependent buffers for (LowerContext.core)
    compiler: str
    cflags: tuple[str, ...]  # code generation for the core
    ldflags: tuple[str, ...]  # C library, start-up, memory map
    support: tuple[str, ...]  # files from this package added to the build
    emulator: tuple[str, ...]  # QEMU command; the ELF follows
    packages: str  # Debian packages providing compiler, C library and QEMU
    description: str
    fault_status: int = FAULT_STATUS  # the exit status of a guest fault
    fault_cause_bits: int = 0  # low bits of that status holding the fault's cause (EXCCAUSE on Xtensa)
    isa: str = ""  # what the instruction counts stand for, when they only approximate the board's core

    @property
    def nm(self) -> str:
        return self.compiler.removesuffix("gcc") + "nm"

    def fault(self, status: int) -> str | None:
        """How the guest faulted, from QEMU's exit status; None when the status is the harness's own."""
        if status >> self.fault_cause_bits != self.fault_status >> self.fault_cause_bits:
            return None
        if not self.fault_cause_bits:
            return "faulted"
        cause = status & ((1 << self.fault_cause_bits) - 1)
        return f"faulted (EXCCAUSE {cause}: {EXCCAUSES.get(cause, 'see the Xtensa ISA reference')})"


def _cortex_m(cpu: str, fpu: tuple[str, ...], machine: str, code: tuple[int, int], ram: tuple[int, int],
              description: str) -> Target:
    memory = (f"--defsym=__tg_code={code[0]:#x}", f"--defsym=__tg_code_size={code[1]:#x}",
              f"--defsym=__tg_ram={ram[0]:#x}", f"--defsym=__tg_ram_size={ram[1]:#x}")
    return Target(
        name=cpu, core=cpu, compiler="arm-none-eabi-gcc", cflags=(f"-mcpu={cpu}", "-mthumb") + fpu,
        ldflags=("--specs=rdimon.specs", "-nostartfiles", "-T", "tg_cortex_m.ld", "-Wl," + ",".join(memory)),
        support=("tg_cortex_m_startup.c", "tg_cortex_m.ld"),
        emulator=("qemu-system-arm", "-M", machine, "-nographic", "-monitor", "none", "-serial", "none",
                  "-semihosting-config", "enable=on,target=native", "-kernel"),
        packages=ARM_PACKAGES, description=description)


MPS2_CODE, MPS2_RAM = (0x0, 4 << 20), (0x20000000, 4 << 20)
TARGETS = {t.name: t for t in [
    _cortex_m("cortex-m3", ("-mfloat-abi=soft",), "mps2-an385", MPS2_CODE, MPS2_RAM, "QEMU mps2-an385"),
    _cortex_m("cortex-m4", ("-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"), "mps2-an386", MPS2_CODE, MPS2_RAM,
              "QEMU mps2-an386"),
    _cortex_m("cortex-m7", ("-mfpu=fpv5-d16", "-mfloat-abi=hard"), "mps2-an500", MPS2_CODE, MPS2_RAM,
              "QEMU mps2-an500"),
    # AN547: code in the 512 KB ITCM, data in the 512 KB DTCM (the arena must fit there).
    _cortex_m("cortex-m55", ("-mfloat-abi=hard",), "mps3-an547", (0x0, 512 << 10), (0x20000000, 512 << 10),
              "QEMU mps3-an547"),
    Target(name="rv32imc", core="rv32imc", compiler="riscv64-unknown-elf-gcc",
           cflags=("-march=rv32imc", "-mabi=ilp32", "--specs=picolibc.specs"),
           ldflags=("--oslib=semihost", "--crt0=hosted", "-T", "tg_rv32_user.ld", "-Wl,--no-warn-rwx-segments"),
           support=("tg_rv32_user.ld",), emulator=("qemu-riscv32",), packages=RV32_PACKAGES,
           description="qemu-riscv32 (user mode)"),
    # The ESP32's compiler and LX6 core exist on no reachable registry: Debian's lx106 (ESP8266) compiler and
    # QEMU core run the same C on the Xtensa base ISA. core is the ESP32 board's, so the program is the one an
    # ESP32 build compiles (portable kernels; the core only sizes CMSIS-NN scratch). -mlongcalls as there.
    Target(name="xtensa", core="xtensa-lx6", compiler="xtensa-lx106-elf-gcc", cflags=("-mlongcalls",),
           ldflags=("--specs=/usr/lib/xtensa-lx106-elf/picolibc.specs", "-nostartfiles", "-T", "tg_xtensa.ld"),
           support=("tg_xtensa_startup.c", "tg_xtensa_simcall.c", "tg_xtensa_libgcc.c", "tg_xtensa.ld"),
           emulator=("qemu-system-xtensa", "-M", "sim", "-cpu", "lx106", "-semihosting", "-display", "none",
                     "-monitor", "none", "-serial", "none", "-kernel"),
           packages=XTENSA_PACKAGES, description="QEMU sim (Xtensa lx106)", fault_status=XTENSA_FAULT,
           fault_cause_bits=7, isa="lx106 ISA: a proxy for the ESP32's LX6, which adds MAC16, MUL32_HIGH, "
                                   "zero-overhead loops, MIN/MAX and CLAMPS"),
]}


@dataclass
class Run:
    outputs: np.ndarray  # [N, *output_shape]
    instructions: list[int] | None  # executed guest instructions per inference
    note: str = ""  # why there is no instruction count
    isa: str = ""  # Target.isa: what the counts stand for


def target(name: str) -> Target:
    if name not in TARGETS:
        raise TinygenError(f"unknown emulation target '{name}'", f"use one of: host, {', '.join(TARGETS)}")
    return TARGETS[name]


def build(sources: dict[str, str], t: Target, flags: list[str]) -> Path:
    """Cross-compile the harness, model and kernels for `t` (cached by content); returns the ELF."""
    if shutil.which(t.compiler) is None:
        raise TinygenError(f"{t.compiler} is not installed (needed for --target {t.name})",
                           f"install the Debian packages: apt-get install {t.packages}")
    files = dict(sources)
    files.update({f: (HERE / f).read_text() for f in t.support})
    cmd = list(t.cflags) + flags + ["-ffunction-sections", "-fdata-sections", "-Wl,--gc-sections"] + list(t.ldflags)
    try:
        return host.build_cached(files, [t.compiler], cmd, kind=t.name, packages=t.packages)
    except RuntimeError as e:
        if "spec" in str(e) and ("rdimon" in str(e) or "picolibc" in str(e)):
            raise TinygenError(f"the C library for {t.name} is missing ({str(e).splitlines()[-1]})",
                               f"install the Debian packages: apt-get install {t.packages}") from None
        overflow = [line for line in str(e).splitlines() if "tinygen: " in line]  # tg_cortex_m.ld's checks
        if overflow:
            raise TinygenError(f"the model does not fit {t.description}: {overflow[0].split('tinygen: ')[-1]}",
                               "emulate on cortex-m3/m4/m7 (4 MB of code and 4 MB of RAM)") from None
        helpers = sorted(set(_MISSING_FLOAT_HELPER.findall(str(e))))
        if helpers:  # Debian's lx106 libgcc: the ESP8266 keeps its soft-float in ROM
            raise TinygenError(f"the model computes in float at run time (its float input or output is quantized "
                               f"in C), and the compiler runtime (libgcc) for {t.name} has no soft-float {', '.join(helpers)}",
                               "give the model int8 input and output (Keras: --io int8), or emulate it on "
                               "cortex-m4 or rv32imc") from None
        raise


def plugin() -> Path:
    """The instruction-count plugin, built for the host (cached)."""
    source = {"tg_insn_count.c": (HERE / "tg_insn_count.c").read_text()}
    return host.build_cached(source, ["cc"], host.WARNINGS + ["-O2", "-shared", "-fPIC"], kind="qemu-plugin")


def marker_addresses(elf: Path, t: Target) -> tuple[int, int]:
    """Addresses of the harness's tg_bench_start/tg_bench_stop (Thumb bit cleared)."""
    found = {}
    for line in binutil([t.nm, str(elf)]).splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] in ("tg_bench_start", "tg_bench_stop"):
            found[parts[2]] = int(parts[0], 16) & ~1
    return found["tg_bench_start"], found["tg_bench_stop"]


def _qemu_arg(value: str) -> str:
    return value.replace(",", ",,")  # QEMU option syntax: a literal comma is doubled


def _execute(cmd: list[str], work: Path, t: Target, inferences: int, bar: progress.Bar = progress.Bar(),
             record_bytes: int = 1) -> subprocess.CompletedProcess:
    timeout = 120 + 30 * inferences  # a hung guest must not hang tinygen
    try:
        return progress.run_counting(cmd, bar, work / "tg_out.bin", record_bytes, timeout=timeout, cwd=work)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"generated program did not finish under {t.description} in {timeout} s") from None


def run(elf: Path, t: Target, inputs: np.ndarray, output_shape: tuple, output_dtype,
        count_instructions: bool = True, counts_per_inference: int = 1) -> Run:
    """Run the harness under QEMU over [N, ...] inputs (tg_in.bin → tg_out.bin in a temporary directory).
    `counts_per_inference`: marker pairs per inference (more than one with per-layer marks)."""
    if shutil.which(t.emulator[0]) is None:
        raise TinygenError(f"{t.emulator[0]} is not installed (needed for --target {t.name})",
                           f"install the Debian packages: apt-get install {t.packages}")
    note = ""
    plugin_args: list[str] = []
    record = int(np.prod(output_shape)) * np.dtype(output_dtype).itemsize
    with tempfile.TemporaryDirectory() as tmp, progress.bar(f"generated C ({t.description})", len(inputs)) as bar:
        work = Path(tmp)
        np.ascontiguousarray(inputs).tofile(work / "tg_in.bin")
        counts = work / "counts.txt"
        if count_instructions:
            try:
                start, stop = marker_addresses(elf, t)
                plugin_args = ["-plugin", f"file={_qemu_arg(str(plugin()))},start={start:#x},stop={stop:#x},"
                                          f"out={_qemu_arg(str(counts))}"]
            except (TinygenError, RuntimeError, subprocess.CalledProcessError, KeyError) as e:
                note = f"no instruction count: the counting plugin could not be prepared ({e})"
        cmd = list(t.emulator[:1]) + plugin_args + list(t.emulator[1:]) + [str(elf)]
        result = _execute(cmd, work, t, len(inputs), bar, record)
        if plugin_args and result.returncode != 0 and not (work / "tg_out.bin").exists():
            # QEMU refused the plugin before the guest started: run without it, say why.
            note = f"no instruction count: {t.emulator[0]} rejected the plugin ({result.stderr.strip()[-300:]})"
            plugin_args = []
            result = _execute(list(t.emulator) + [str(elf)], work, t, len(inputs), bar, record)
        if result.returncode != 0:
            what = t.fault(result.returncode) or f"failed (exit {result.returncode})"
            raise RuntimeError(f"generated program {what} under {t.description}: "
                               f"{(result.stderr + result.stdout)[-2000:]}")
        data = np.fromfile(work / "tg_out.bin", dtype=output_dtype)
        instructions = None
        if plugin_args:
            instructions = [int(x) for x in counts.read_text().split()] if counts.exists() else []
            if len(instructions) != len(inputs) * counts_per_inference:
                note, instructions = f"no instruction count: the plugin saw {len(instructions)} inferences", None
    if data.size != len(inputs) * int(np.prod(output_shape)):
        raise RuntimeError(f"generated program wrote {data.size} output values for {len(inputs)} inputs")
    return Run(data.reshape((len(inputs),) + tuple(output_shape)), instructions, note, t.isa)
