"""`tinygen build`: a PlatformIO project for one board, written without ever losing a user's file.

Layout of a project:
    platformio.ini              the board's environment, -O2, tinygen's include path, CMSIS-NN via lib_deps
    src/main.c                  demo: embedded sample input, TFLM's expected output, PASS/FAIL, checksum, cycles
    src/arduino_main.cpp        setup()/loop() and Serial for main.c (Arduino boards)
    lib/<model>/                the generated model, tinygen's kernels, library.json
    lib/cmsis-nn/library.json   compiles only CMSIS-NN's integer Source/ and Include/ (cmsis-nn backend)
    .tinygen-manifest           sha256 and path of every file tinygen wrote

Safety: an existing directory holding files tinygen did not write (or wrote and the user changed since) is
refused unless --force; with --force those files stay, and one at a path tinygen writes is first renamed to
<path>.orig. Files are written into a directory beside the target and moved into place with os.replace, so
every file is at any moment either its old or its new complete version. Output is deterministic: building
twice gives byte-identical trees.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__, codegen, oracle
from .boards import Board, get_board
from .compiler import Program, compile_model
from .emulation import NUMPY_DTYPES, random_inputs
from .errors import TinygenError

MANIFEST = ".tinygen-manifest"
TOOL_DIRS = (".pio", ".vscode")  # PlatformIO's build output and its IDE's settings: neither ours nor the user's
BACKUP_SUFFIX = ".orig"
SAMPLE_SEED = 0
TIMED_RUNS = 4


@dataclass(frozen=True)
class CmsisNN:
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

# Estimates of the code tinygen adds: the demo and invoke's set-up, each layer's call, each kernel used.
DEMO_CODE_BYTES = 2048
LAYER_CODE_BYTES = 160
KERNEL_CODE_BYTES = 4096
DEMO_STACK_BYTES = 2048


@dataclass
class Footprint:
    consts: int  # weights, biases, multipliers (flash)
    samples: int  # the demo's sample input and expected output (flash)
    code: int  # estimate
    arena: int
    output: int  # the demo's output buffer
    stack: int
    board: Board

    @property
    def flash(self) -> int:
        return self.consts + self.samples + self.code + self.board.framework_flash_bytes

    @property
    def ram(self) -> int:
        in_ram = self.consts + self.samples + self.code if self.board.flash_data_in_ram else 0
        return self.arena + self.output + self.stack + in_ram + self.board.framework_ram_bytes


def _kib(n: int) -> str:
    return f"{n / 1024:.1f} KiB"


def footprint(program: Program, board: Board) -> Footprint:
    aligned = lambda n: (n + 15) // 16 * 16  # noqa: E731 (TG_ALIGNED(16) on every constant)
    layers = [layer for layer in program.layers if not layer.alias]
    kernels = {layer.template for layer in layers}
    return Footprint(
        consts=sum(aligned(c.values.nbytes) for c in program.consts),
        samples=program.input.nbytes + program.output.nbytes,
        code=DEMO_CODE_BYTES + LAYER_CODE_BYTES * len(layers) + KERNEL_CODE_BYTES * len(kernels),
        arena=program.arena_size, output=program.output.nbytes, stack=DEMO_STACK_BYTES, board=board)


def check_fit(fp: Footprint, name: str) -> None:
    b = fp.board
    fix = "choose a board with more memory (`tinygen boards`), or pass --force to write the project anyway"
    if fp.flash > b.flash_bytes:
        raise TinygenError(
            f"{name} needs about {_kib(fp.flash)} of flash on the {b.name}: weights {_kib(fp.consts)} + demo data "
            f"{_kib(fp.samples)} + code ~{_kib(fp.code)} + framework ~{_kib(b.framework_flash_bytes)}; "
            f"the board has {_kib(b.flash_bytes)}", fix)
    if fp.ram > b.ram_bytes:
        copied = (f" + weights and code copied to RAM {_kib(fp.consts + fp.samples + fp.code)}"
                  if b.flash_data_in_ram else "")
        raise TinygenError(
            f"{name} needs about {_kib(fp.ram)} of RAM on the {b.name}: arena {_kib(fp.arena)} + output "
            f"{_kib(fp.output)} + stack ~{_kib(fp.stack)}{copied} + framework ~{_kib(b.framework_ram_bytes)}; "
            f"the board has {_kib(b.ram_bytes)}", fix)


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
    footprint: Footprint


def generate(model: Path, board: Board, backend: str | None = None, check: bool = False) -> Project:
    """Every file of the project, in memory. check: refuse a model that does not fit the board (before running
    the oracle, which is the slow part)."""
    backend = backend or board.backend
    if backend == "cmsis-nn" and not board.is_cortex_m:
        raise TinygenError(f"the {board.name} ({board.core}) cannot use CMSIS-NN", "use --backend portable")
    program = compile_model(Path(model), backend=backend, core=board.core)
    fp = footprint(program, board)
    if check:
        check_fit(fp, program.name)
    y = program.output
    sample = random_inputs(program.input, 1, SAMPLE_SEED)
    expected = oracle.reference_outputs(Path(model).read_bytes(), sample)[0]
    expected = np.ascontiguousarray(expected.astype(NUMPY_DTYPES[y.dtype], copy=False).reshape(-1))
    if expected.size != y.size:
        raise AssertionError(f"oracle gave {expected.size} outputs, the model has {y.size}")

    env = codegen.environment()
    env.filters["json"] = lambda value: json.dumps(value, ensure_ascii=False)
    cmsis = CmsisNN(env=board.id) if backend == "cmsis-nn" else None
    common = dict(version=__version__, name=program.name, NAME=program.name.upper(), board=board, backend=backend,
                  cmsis=cmsis, env=board.id, manifest=MANIFEST)

    def render(template: str, **extra) -> bytes:
        return env.get_template(f"project/{template}").render(**common, **extra).encode()

    files = {
        "platformio.ini": render("platformio.ini.j2"),
        "src/main.c": render(
            "main.c.j2", seed=SAMPLE_SEED, runs=TIMED_RUNS, sample=sample.reshape(-1),
            output_float=y.dtype == "float32", output_shape=list(y.shape),
            expected=expected.view(np.uint32) if y.dtype == "float32" else expected,
            checksum=fnv1a(expected.tobytes())),
        f"lib/{program.name}/library.json": render("model_library.json.j2"),
    }
    if board.framework == "arduino":
        files["src/arduino_main.cpp"] = render("arduino_main.cpp.j2")
    for fname, text in {**codegen.kernel_sources(), **codegen.render_model(program)}.items():
        files[f"lib/{program.name}/{fname}"] = text.encode()
    if cmsis:
        files[f"lib/{cmsis.library}/library.json"] = render("cmsis_nn_library.json.j2")
    return Project(board, program, backend, dict(sorted(files.items())), fp)


# ---- writing ----

def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(out: Path) -> dict[str, set[str]]:
    path = out / MANIFEST
    entries: dict[str, set[str]] = {}
    if path.is_file() and not path.is_symlink():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            digest, sep, rel = line.partition("  ")
            if sep and not line.startswith("#"):
                entries.setdefault(rel, set()).add(digest)
    return entries


def _manifest_text(entries: dict[str, set[str]]) -> bytes:
    lines = [f"# Written by tinygen {__version__}: sha256 and path of each file it wrote here. "
             "`tinygen build` replaces these; every other file is yours and is left alone."]
    lines += [f"{digest}  {rel}" for rel in sorted(entries) for digest in sorted(entries[rel])]
    return ("\n".join(lines) + "\n").encode()


def _existing(out: Path) -> list[str]:
    """Relative paths of the files (and symlinks) under out, outside the tool directories and the manifest."""
    found = []
    for root, dirs, files in os.walk(out):
        rel_root = Path(root).relative_to(out)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if d not in TOOL_DIRS]
        for d in list(dirs):
            if (Path(root) / d).is_symlink():  # never walk into a link: it is one user entry
                dirs.remove(d)
                found.append((rel_root / d).as_posix())
        found += [(rel_root / f).as_posix() for f in files]
    return sorted(p for p in found if p != MANIFEST)


@dataclass
class WriteResult:
    out_dir: Path
    written: list[str] = field(default_factory=list)  # changed or new
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # tinygen's own files from an earlier build
    backed_up: dict[str, str] = field(default_factory=dict)  # user path → where it was moved


def _write_tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _staging_dir(out: Path) -> Path:
    staging = out.parent / f".{out.name}.tinygen-{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()  # mode from the umask, unlike tempfile.mkdtemp's 0700: it may become the project itself
    return staging


def _free_name(path: Path) -> Path:
    candidate, n = path.with_name(path.name + BACKUP_SUFFIX), 1
    while candidate.exists() or candidate.is_symlink():
        candidate, n = path.with_name(f"{path.name}{BACKUP_SUFFIX}.{n}"), n + 1
    return candidate


def write_project(files: dict[str, bytes], out: Path, force: bool = False) -> WriteResult:
    out = Path(out)
    result = WriteResult(out)
    if out.exists() and not out.is_dir():
        raise TinygenError(f"{out} is a file", "give a directory for the project")
    if out.is_symlink():
        raise TinygenError(f"{out} is a symbolic link", "give the directory itself")
    entries = {rel: {_sha256(data)} for rel, data in files.items()}

    if not out.exists() or not any(out.iterdir()):
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = _staging_dir(out)
        try:
            _write_tree(staging, {**files, MANIFEST: _manifest_text(entries)})
            if out.exists():
                out.rmdir()
            staging.rename(out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        result.written = sorted(files)
        return result

    previous = _read_manifest(out)
    ours, users = set(), []
    for rel in _existing(out):
        path = out / rel
        if rel in previous and path.is_file() and not path.is_symlink() \
                and _sha256(path.read_bytes()) in previous[rel]:
            ours.add(rel)
        else:
            users.append(rel)
    if users and not force:
        shown = ", ".join(users[:5]) + (f" and {len(users) - 5} more" if len(users) > 5 else "")
        raise TinygenError(
            f"{out} holds files tinygen did not write (or that changed since it wrote them): {shown}",
            "choose a new or empty directory, or pass --force: tinygen then keeps those files and renames any "
            f"that sit where it writes to <name>{BACKUP_SUFFIX}")

    # With --force, user entries in the way of a file tinygen writes (at its path, or a file where it needs a
    # directory) move aside; everything else of the user's stays where it is.
    # A file of tinygen's own where it now needs a directory is simply stale.
    in_the_way = set()
    for rel in files:
        parts = Path(rel).parts
        for i in range(1, len(parts) + 1):
            prefix = Path(*parts[:i])
            path = out / prefix
            is_last = i == len(parts)
            if path.is_symlink() or (path.exists() and (is_last or not path.is_dir())):
                if prefix.as_posix() not in ours:
                    in_the_way.add(prefix)
                elif not is_last:
                    path.unlink()
                    ours.discard(prefix.as_posix())
                    result.removed.append(prefix.as_posix())
                break
    for prefix in sorted(in_the_way):
        target = _free_name(out / prefix)
        os.rename(out / prefix, target)
        result.backed_up[prefix.as_posix()] = target.relative_to(out).as_posix()

    staging = _staging_dir(out)
    try:
        _write_tree(staging, files)
        # Until every file is in place, the manifest recognises both the old and the new versions.
        interim = {rel: set(previous.get(rel, set())) | entries.get(rel, set()) for rel in ours | set(files)}
        _replace(staging, out, MANIFEST, _manifest_text(interim))
        for rel, data in files.items():
            dst = out / rel
            if dst.is_file() and not dst.is_symlink() and dst.read_bytes() == data:
                result.unchanged.append(rel)
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, dst)
            result.written.append(rel)
        for rel in sorted(ours - set(files)):
            (out / rel).unlink()
            result.removed.append(rel)
            _prune_empty_parents(out, Path(rel).parent)
        _replace(staging, out, MANIFEST, _manifest_text(entries))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _replace(staging: Path, out: Path, rel: str, data: bytes) -> None:
    tmp = staging / (rel + ".next")
    tmp.write_bytes(data)
    os.replace(tmp, out / rel)


def _prune_empty_parents(out: Path, rel_dir: Path) -> None:
    while rel_dir != Path(".") and rel_dir.parts:
        path = out / rel_dir
        if path.is_symlink() or not path.is_dir() or any(path.iterdir()):
            return
        path.rmdir()
        rel_dir = rel_dir.parent


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
            f"flash ~{_kib(fp.flash)} of {_kib(b.flash_bytes)}, RAM ~{_kib(fp.ram)} of {_kib(b.ram_bytes)} "
            f"(arena {_kib(fp.arena)})",
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
        check_fit(project.footprint, project.program.name)
    except TinygenError as e:
        warnings.append(e.problem)
    out = Path(out_dir) if out_dir is not None else Path(f"{project.program.name}_{board.id}")
    return BuildResult(project, write_project({**project.files, **(extra_files or {})}, out, force), warnings)
