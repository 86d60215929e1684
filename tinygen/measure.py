"""Flash and stack of the generated model, measured by compiling it for the target core.

The model's C and the kernels are compiled with the core's gcc at -O2, one section per function, and linked
with the invoke function as the entry and --gc-sections: what remains is exactly what a firmware calling
<name>_invoke carries. `<compiler's size>` of that image gives the flash (text + rodata + data); the weights
are the model's constant arrays, the code everything else. The stack is gcc's -fstack-usage per function
(-fcallgraph-info=su gives the call edges): invoke's frame plus its deepest chain of calls. C library calls
(memcpy, memset) have no stack record and are listed as such.

Without a cross compiler the host compiler stands in and every figure is marked as an estimate.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import codegen
from .compiler import Program
from .emulator.host import cache_error, cache_root
from .errors import TinygenError
from .toolchain import binutil
from .toolchain import failure as compile_failure
from .toolchain import identity as compiler_identity

CORTEX_M4 = ("arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard")
CFLAGS = ["-std=c99", "-O2", "-ffunction-sections", "-fdata-sections"]
VERSION = 2  # of the cached result's layout


@dataclass
class Footprint:
    compiler: list[str]  # command (with the core's flags) that built it
    core: str
    measured: bool  # False: the host compiler stood in (another instruction set): an estimate
    flash_bytes: int  # text + rodata + data of the linked image
    weight_bytes: int  # the model's constant arrays (part of flash_bytes)
    code_bytes: int  # flash_bytes - weight_bytes: kernels, invoke, parameter structs, C library helpers
    stack_bytes: int  # invoke's frame + its deepest call chain
    stack_path: list[list] = field(default_factory=list)  # [[function, bytes], ...] along that chain
    unmeasured_calls: list[str] = field(default_factory=list)  # callees without a stack record (C library)
    note: str = ""
    data_bytes: int | None = None  # initialized RAM (.data) of the linked image: 0, constants stay in flash
    bss_bytes: int | None = None  # zeroed RAM (.bss): the arena and the state (with its ready flag)


class NoCompiler(TinygenError):
    """Neither the core's compiler nor a host compiler to stand in for it is installed."""


def toolchain(board=None) -> tuple[list[str], str, bool]:
    """(compiler command with core flags, core, measured?) for a board (or a Cortex-M4 without one)."""
    candidates = []
    if board is not None:
        candidates += [[board.compiler, *board.cflags], list(board.check_compiler)]
        core = board.core
    else:
        candidates.append(list(CORTEX_M4))
        core = "cortex-m4"
    for cmd in candidates:
        # A stand-in with another instruction set (e.g. `gcc -m32` for Xtensa) only estimates.
        if shutil.which(cmd[0]) and _same_isa(cmd, core):
            return cmd, core, True
    if not shutil.which("cc"):
        raise NoCompiler(f"no C compiler here to measure the model's flash and stack: neither "
                         f"{core_compiler(board)} nor cc is installed",
                         f"install {core_compiler(board)} (or gcc for an estimate)")
    return ["cc"], core, False


def core_compiler(board=None) -> str:
    """The compiler whose measurement counts: the board's own (a Cortex-M4's without a board)."""
    return board.compiler if board is not None else CORTEX_M4[0]


def how(fp: Footprint, board=None) -> str:
    """How the figures were got, for messages: "measured with <compiler>" or "estimated (no <compiler> installed)"
    when the host compiler stood in."""
    return f"measured with {fp.compiler[0]}" if fp.measured else f"estimated (no {core_compiler(board)} installed)"


def _same_isa(cmd: list[str], core: str) -> bool:
    if core.startswith("cortex-m"):
        return "arm-none-eabi" in cmd[0]
    if core.startswith("rv32"):
        return "riscv" in cmd[0]
    return "xtensa" in cmd[0]


def footprint(program: Program, board=None) -> Footprint:
    """Build (cached by content) and measure; raises RuntimeError if the sources do not compile."""
    cmd, core, measured = toolchain(board)
    files = codegen.program_sources(program)
    flags = CFLAGS + list(program.backend.cflags)
    key = [VERSION, compiler_identity(cmd[0]), cmd, flags, sorted(files.items())]
    digest = hashlib.sha256(json.dumps(key).encode()).hexdigest()[:24]
    cached = cache_root() / "footprint" / f"{digest}.json"
    try:
        return Footprint(**json.loads(cached.read_text()))
    except (OSError, ValueError, TypeError):  # not measured yet, or a damaged entry: measure (again)
        pass
    result = _build(program, files, cmd, flags, core, measured)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f".{cached.name}.{os.getpid()}")
        partial.write_text(json.dumps(asdict(result)))
        partial.replace(cached)  # atomic: readers see the old entry or the whole new one
    except OSError as e:
        raise cache_error(e) from None
    return result


def _run(cmd: list[str], cwd: Path) -> str:
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        raise compile_failure(cmd, out)
    return out.stdout


def _build(program: Program, files: dict[str, str], cmd: list[str], flags: list[str], core: str,
           measured: bool) -> Footprint:
    entry = f"{program.name}_invoke"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, text in files.items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            (work / name).write_text(text)
        sources = sorted(f for f in files if f.endswith(".c"))
        for i, src in enumerate(sources):
            _run(cmd + flags + ["-I", ".", "-fstack-usage", "-fcallgraph-info=su", "-c", src, "-o", f"o{i}.o"],
                 work)
        objects = [f"o{i}.o" for i in range(len(sources))]
        if measured:
            link = ["-nostartfiles", f"-Wl,-e,{entry}", "-Wl,--gc-sections"]
            if "arm-none-eabi" in cmd[0]:
                link.append("--specs=nano.specs")
            if "--specs=picolibc.specs" in cmd:  # its default script has 64 KiB of flash and 32 KiB of RAM:
                link += ["-Wl,--defsym=__flash_size=0x10000000", "-Wl,--defsym=__ram_size=0x10000000"]  # lift them
            _run(cmd + flags + link + objects + ["-o", "model.elf"], work)
            flash = flash_bytes(work / "model.elf", size_tool(cmd[0]))
            sections = _sections(work / "model.elf", size_tool(cmd[0]))
            ram = (sections.get(".data", 0), sections.get(".bss", 0))
        else:  # a host program needs main(): sum the objects' sections instead
            flash = sum(flash_bytes(work / o, "size") for o in objects)
            ram = (None, None)
        graph = _call_graph(work)
    weights = sum(c.values.nbytes for c in program.consts)
    stack, path, unknown = _deepest(graph, entry)
    note = "" if measured else (f"no {'arm-none-eabi-gcc' if core.startswith('cortex-m') else core} compiler here: "
                                "host compiler objects, an estimate")
    return Footprint(cmd, core, measured, flash, weights, flash - weights, stack, path, unknown, note, *ram)


def size_tool(compiler: str) -> str:
    return compiler.removesuffix("gcc") + "size" if compiler.endswith("gcc") else "size"


def flash_bytes(path: Path, size: str = "arm-none-eabi-size") -> int:
    """text + data of `size` in Berkeley format (text includes rodata): what is stored in flash."""
    out = binutil([size, str(path)]).splitlines()
    text, data = out[1].split()[:2]
    return int(text) + int(data)


def _sections(path: Path, size: str) -> dict[str, int]:
    out = binutil([size, "-A", str(path)])
    return {parts[0]: int(parts[1]) for parts in (line.split() for line in out.splitlines())
            if len(parts) == 3 and parts[0].startswith(".") and parts[1].isdigit()}


_NODE = re.compile(r'node: \{ title: "([^"]+)" label: "[^"]*?\\n[^"]*?(?:\\n(\d+) bytes \(([^)]*)\))?"')
_EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')


def _call_graph(work: Path) -> dict:
    """{function: (stack bytes or None, [callees])} from every .ci file gcc wrote."""
    nodes: dict[str, int | None] = {}
    edges: dict[str, list[str]] = {}
    for ci in sorted(work.rglob("*.ci")):
        text = ci.read_text()
        for name, size, _ in _NODE.findall(text):
            if size:
                nodes[name] = int(size)
            else:
                nodes.setdefault(name, None)
        for src, dst in _EDGE.findall(text):
            edges.setdefault(src, []).append(dst)
    return {n: (nodes[n], sorted(set(edges.get(n, [])))) for n in nodes}


def _deepest(graph: dict, root: str) -> tuple[int, list[list], list[str]]:
    """Stack bytes of root's deepest call chain, the chain, and callees without a stack record."""
    unknown: set[str] = set()
    memo: dict[str, tuple[int, list[list]]] = {}

    def walk(fn: str, seen: frozenset) -> tuple[int, list[list]]:
        if fn in memo:
            return memo[fn]
        size, callees = graph.get(fn, (None, []))
        if size is None:
            unknown.add(fn)
            return 0, []
        best = (0, [])
        for c in callees:
            if c not in seen:  # recursion has no bound: tinygen's kernels have none
                best = max(best, walk(c, seen | {c}), key=lambda r: r[0])
        memo[fn] = (size + best[0], [[fn, size]] + best[1])
        return memo[fn]

    total, path = walk(root, frozenset({root}))
    return total, path, sorted(unknown)
