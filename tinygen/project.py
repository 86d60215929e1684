"""`tinygen build`: a PlatformIO project for one board, written without ever losing a user's file.

Layout of a project:
    platformio.ini              the board's environment, -O2, tinygen's include path, CMSIS-NN via lib_deps
    src/main.c                  demo: embedded sample input, TFLM's expected output, PASS/FAIL, checksum, cycles
    src/arduino_main.cpp        setup()/loop() and Serial for main.c (Arduino boards)
    lib/<model>/                the generated model, tinygen's kernels, library.json
    lib/cmsis-nn/library.json   compiles only CMSIS-NN's integer Source/ and Include/ (cmsis-nn backend)
    .tinygen-manifest           sha256 and path of every file tinygen wrote

writer.py writes it: never losing a user's file, one build of a directory at a time, complete old or new
project after an interruption. Output is deterministic: building twice gives byte-identical trees.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__, codegen, measure, oracle
from .backends.cmsis_nn import ENV as CMSIS_NN_ENV
from .boards import Board, get_board
from .compiler import Program, compile_model
from .emulation import NUMPY_DTYPES, random_input_set, random_inputs
from .ir import CTYPES
from .errors import TinygenError
from .writer import MANIFEST, WriteResult, write_project
SAMPLE_SEED = 0
TIMED_RUNS = 4


@dataclass(frozen=True)
class CmsisNNDependency:
    """CMSIS-NN as a PlatformIO dependency: the pinned checkout plus the local library that compiles it."""
    env: str
    url: str = "https://github.com/ARM-software/CMSIS-NN.git"
    tag: str = "v7.0.0"
    checkout: str = "cmsis-nn-src"  # lib_deps name: PlatformIO checks it out into <libdeps_dir>/<env>/<name>
    library: str = "cmsis-nn"  # the wrapper library in lib/

    @property
    def root(self) -> str:
        return f".pio/libdeps/{self.env}/{self.checkout}"


# ---- fit check ----
#
# One source of figures with `tinygen report --board`: the model's flash (weights + code, linked from invoke) and
# invoke's stack are measure.footprint's, measured with the core's compiler where it is installed and otherwise the
# host compiler's estimate, labelled as one. The demo adds its sample input and expected output (flash) and its
# output buffer (RAM, where the report counts the caller's input and output buffers); the framework's share is the
# board file's estimate.

@dataclass
class Footprint:
    model: measure.Footprint  # the model as a firmware calling <name>_invoke carries it
    how: str  # how model's figures were got: "measured with arm-none-eabi-gcc", "estimated (no ... installed)"
    samples: int  # the demo's sample input and expected output (flash)
    arena: int
    state: int  # the model's variables, kept between invokes (RAM outside the arena)
    output: int  # the demo's output buffer
    board: Board

    @property
    def consts(self) -> int:  # weights, biases, multipliers (flash)
        return self.model.weight_bytes

    @property
    def code(self) -> int:
        return self.model.code_bytes

    @property
    def stack(self) -> int:
        return self.model.stack_bytes

    @property
    def flash(self) -> int:
        return self.model.flash_bytes + self.samples + self.board.framework_flash_bytes

    @property
    def ram(self) -> int:
        in_ram = self.model.flash_bytes + self.samples if self.board.flash_data_in_ram else 0
        return self.arena + self.state + self.output + self.stack + in_ram + self.board.framework_ram_bytes


def _kib(n: int) -> str:
    return f"{n / 1024:.1f} KiB"


def footprint(program: Program, board: Board, model: Path) -> Footprint:
    """program compiled from the .tflite file model for board. On the cmsis-nn backend without CMSIS-NN's sources
    here (PlatformIO fetches them for the project) the same model with the portable kernels stands in, and the
    figures are an estimate; the arena is the program's own either way."""
    measured = program
    if program.backend.name == "cmsis-nn":
        try:
            program.backend.check_available()
        except TinygenError:
            measured = compile_model(Path(model), backend="portable", core=board.core)
    fp = measure.footprint(measured, board)
    how = measure.how(fp, board)
    if measured is not program:
        how = f"estimated with the portable kernels ({CMSIS_NN_ENV} not set), {how}"
    inputs, outputs = (sum(p.tensor.nbytes for p in ports) for ports in (program.inputs, program.outputs))
    return Footprint(model=fp, how=how, samples=inputs + outputs,
                     arena=program.arena_size, state=program.state_size, output=outputs,
                     board=board)


FIT_FIX = "choose a board with more memory (`tinygen boards`), or pass --force to write the project anyway"


def _need_and_have(need: int, have: int) -> tuple[str, str]:
    """Both amounts in KiB, or in bytes where KiB would print the same number for both (a few bytes over)."""
    if _kib(need) != _kib(have):
        return _kib(need), _kib(have)
    return f"{need:,} B", f"{have:,} B"


def check_fit(fp: Footprint, name: str) -> None:
    b = fp.board
    if fp.flash > b.flash_bytes:
        need, have = _need_and_have(fp.flash, b.flash_bytes)
        raise TinygenError(
            f"{name} needs about {need} of flash on the {b.name}, model {fp.how}: weights "
            f"{_kib(fp.consts)} + code {_kib(fp.code)} + demo data {_kib(fp.samples)} + framework "
            f"~{_kib(b.framework_flash_bytes)}; the board has {have}", FIT_FIX)
    if fp.ram > b.ram_bytes:
        need, have = _need_and_have(fp.ram, b.ram_bytes)
        copied = (f" + model and demo data copied to RAM {_kib(fp.model.flash_bytes + fp.samples)}"
                  if b.flash_data_in_ram else "")
        state = f"state {_kib(fp.state)} + " if fp.state else ""
        raise TinygenError(
            f"{name} needs about {need} of RAM on the {b.name}, model {fp.how}: arena {_kib(fp.arena)} + {state}"
            f"output {_kib(fp.output)} + stack {_kib(fp.stack)}{copied} + framework ~{_kib(b.framework_ram_bytes)}; "
            f"the board has {have}", FIT_FIX)


# ---- generation (no disk writes) ----

def fnv1a(data: bytes) -> int:
    h = 0x811C9DC5
    for byte in data:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


@dataclass
class Project:
    board: Board
    program: Program
    backend: str
    files: dict[str, bytes]  # relative POSIX path → content
    footprint: Footprint | None  # None: no C compiler here to measure with (--force)


def generate(model: Path, board: Board, backend: str | None = None, check: bool = False) -> Project:
    """Every file of the project, in memory. check: refuse a model that does not fit the board (before running
    the oracle, which is the slow part)."""
    backend = backend or board.backend
    if backend == "cmsis-nn" and not board.is_cortex_m:
        raise TinygenError(f"the {board.name} ({board.core}) cannot use CMSIS-NN", "use --backend portable")
    program = compile_model(Path(model), backend=backend, core=board.core)
    try:
        fp = footprint(program, board, Path(model))
    except measure.NoCompiler as e:
        if check:
            raise TinygenError(e.problem, f"{e.fix}, or pass --force to write the project without the fit "
                                          "check") from None
        fp = None
    if check:
        check_fit(fp, program.name)
    y = program.output
    if program.single_io:
        sample = random_inputs(program.input, 1, SAMPLE_SEED)
        expected = oracle.reference_outputs(Path(model).read_bytes(), sample)[0]
        expected = np.ascontiguousarray(expected.astype(NUMPY_DTYPES[y.dtype], copy=False).reshape(-1))
        if expected.size != y.size:
            raise AssertionError(f"oracle gave {expected.size} outputs, the model has {y.size}")
        demo = dict(sample=sample.reshape(-1), output_float=y.dtype == "float32", output_shape=list(y.shape),
                    expected=expected.view(np.uint32) if y.dtype == "float32" else expected,
                    checksum=fnv1a(expected.tobytes()), multi=False)
    else:
        demo = dict(_multi_io_sample(program, Path(model)), multi=True, ctypes=CTYPES)

    env = codegen.environment()
    env.filters["json"] = lambda value: json.dumps(value, ensure_ascii=False)
    cmsis = CmsisNNDependency(env=board.id) if backend == "cmsis-nn" else None
    common = dict(version=__version__, name=program.name, NAME=program.name.upper(), board=board, backend=backend,
                  cmsis=cmsis, env=board.id, manifest=MANIFEST)

    def render(template: str, **extra) -> bytes:
        return env.get_template(f"project/{template}").render(**common, **extra).encode()

    files = {
        "platformio.ini": render("platformio.ini.j2"),
        "src/main.c": render(
            "main.c.j2", seed=SAMPLE_SEED, runs=TIMED_RUNS, **demo),
        f"lib/{program.name}/library.json": render("model_library.json.j2"),
    }
    if board.framework == "arduino":
        files["src/arduino_main.cpp"] = render("arduino_main.cpp.j2")
    for fname, text in {**codegen.kernel_sources(program), **codegen.render_model(program)}.items():
        files[f"lib/{program.name}/{fname}"] = text.encode()
    if cmsis:
        files[f"lib/{cmsis.library}/library.json"] = render("cmsis_nn_library.json.j2")
    return Project(board, program, backend, dict(sorted(files.items())), fp)


def _multi_io_sample(program: Program, model: Path) -> dict:
    """The demo's sample of every input, TFLM's outputs for it (float32 as bit patterns) and their checksum."""
    samples = random_input_set(program, 1, SAMPLE_SEED)
    outputs = oracle.reference_outputs(model.read_bytes(), samples)
    expecteds = []
    for port, values in zip(program.outputs, outputs):
        values = np.ascontiguousarray(values[0].astype(NUMPY_DTYPES[port.tensor.dtype], copy=False).reshape(-1))
        expecteds.append((port, values.view(np.uint32) if port.tensor.dtype == "float32" else values))
    return dict(samples=[(p, x.reshape(-1)) for p, x in zip(program.inputs, samples)], expecteds=expecteds,
                checksum=fnv1a(b"".join(v.tobytes() for _, v in expecteds)))


# ---- the command ----

@dataclass
class BuildResult:
    project: Project
    write: WriteResult
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        p, fp, b = self.project, self.project.footprint, self.project.board
        lines = [
            f"wrote {self.write.out_dir}: {p.program.name} for the {b.name} ({b.core}, {p.backend} kernels), "
            f"{len(self.write.written)} files changed, {len(self.write.unchanged)} unchanged"
            + (f", {len(self.write.removed)} stale removed" if self.write.removed else ""),
            f"flash {_kib(fp.flash)} of {_kib(b.flash_bytes)}, RAM {_kib(fp.ram)} of {_kib(b.ram_bytes)} "
            f"(arena {_kib(fp.arena)}; model {fp.how}, framework: the board file's estimate)" if fp is not None
            else "flash and RAM not checked: no C compiler here to measure the model with",
        ]
        lines += [f"kept your {src} as {dst}" for src, dst in self.write.backed_up.items()]
        lines += [f"warning (--force): {w}" for w in self.warnings]
        lines.append(f"next: cd {self.write.out_dir} && pio run -t upload && pio device monitor")
        return "\n".join(lines)


def build(model: Path, board_name: str, out_dir: Path | None = None, force: bool = False,
          backend: str | None = None, extra_files: dict[str, bytes] | None = None) -> BuildResult:
    """extra_files (relative path → content) join the project and its manifest, e.g. the Keras front end's
    model_int8.tflite and quantization report."""
    board = get_board(board_name)
    project = generate(Path(model), board, backend, check=not force)
    warnings = []
    try:
        if project.footprint is not None:
            check_fit(project.footprint, project.program.name)
    except TinygenError as e:
        warnings.append(e.problem)
    out = Path(out_dir) if out_dir is not None else Path(f"{project.program.name}_{board.id}")
    return BuildResult(project, write_project({**project.files, **(extra_files or {})}, out, force), warnings)
