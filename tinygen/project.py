"""`tinygen build`: a PlatformIO project for one board, written without ever losing a user's file.

Layout of a project:
    platformio.ini              the board's environment, -O2, tinygen's include path, CMSIS-NN via lib_deps
    src/main.c                  demo: embedded sample input, TFLM's expected output, PASS/FAIL, checksum, cycles
    src/arduino_main.cpp        setup()/loop() and Serial for main.c (Arduino boards)
    lib/<model>/                the generated model, tinygen's kernels, library.json
    lib/cmsis-nn/library.json   compiles only CMSIS-NN's integer Source/ and Include/ (cmsis-nn backend)
    .tinygen-manifest           sha256 and path of every file tinygen wrote

Safety: an existing directory holding files tinygen did not write (or wrote and the user changed since) is
refused unless --force; with --force those files stay, and one at a path tinygen writes is renamed to
<path>.orig. The new project is built complete in a directory beside the target and switched in with one atomic
directory exchange (journaled, see _switch), so an interrupted build leaves the complete old or the complete new
project and every user file. Output is deterministic: building twice gives byte-identical trees.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__, codegen, measure, oracle
from .backends.cmsis_nn import ENV as CMSIS_NN_ENV
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
        return self.arena + self.output + self.stack + in_ram + self.board.framework_ram_bytes


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
    return Footprint(model=fp, how=how, samples=program.input.nbytes + program.output.nbytes,
                     arena=program.arena_size, output=program.output.nbytes, board=board)


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
        raise TinygenError(
            f"{name} needs about {need} of RAM on the {b.name}, model {fp.how}: arena {_kib(fp.arena)} + "
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
    sample = random_inputs(program.input, 1, SAMPLE_SEED)
    expected = oracle.reference_outputs(Path(model).read_bytes(), sample)[0]
    expected = np.ascontiguousarray(expected.astype(NUMPY_DTYPES[y.dtype], copy=False).reshape(-1))
    if expected.size != y.size:
        raise AssertionError(f"oracle gave {expected.size} outputs, the model has {y.size}")

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
            "main.c.j2", seed=SAMPLE_SEED, runs=TIMED_RUNS, sample=sample.reshape(-1),
            output_float=y.dtype == "float32", output_shape=list(y.shape),
            expected=expected.view(np.uint32) if y.dtype == "float32" else expected,
            checksum=fnv1a(expected.tobytes())),
        f"lib/{program.name}/library.json": render("model_library.json.j2"),
    }
    if board.framework == "arduino":
        files["src/arduino_main.cpp"] = render("arduino_main.cpp.j2")
    for fname, text in {**codegen.kernel_sources(program), **codegen.render_model(program)}.items():
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


def _write_tree(root: Path, files: dict[str, bytes], reuse: Path | None = None,
                same: frozenset[str] = frozenset()) -> None:
    """Write files under root and fsync them (a power cut after the switch must not leave empty files). Paths
    in `same` are hard links to reuse/<path> where the filesystem allows: unchanged files keep their inode and
    mtime, so PlatformIO does not recompile them."""
    dirs = {root}
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        dirs.update(p for p in path.parents if root in p.parents or p == root)
        if rel in same and reuse is not None:
            try:
                os.link(reuse / rel, path, follow_symlinks=False)
                continue
            except OSError:
                pass  # no hard links here (FAT, protected_hardlinks): a copy is as good
        with open(path, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    for d in sorted(dirs, key=lambda d: len(d.parts), reverse=True):
        _fsync_dir(d)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems cannot sync a directory; nothing better to do
    finally:
        os.close(fd)


STAGING_TAG = ".tinygen-"  # .<target>.tinygen-<pid>-<hex>: staging trees and the journal, beside the target


def _staging_dir(out: Path) -> Path:
    staging = out.parent / f".{out.name}{STAGING_TAG}{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()  # mode from the umask, unlike tempfile.mkdtemp's 0700: it may become the project itself
    return staging


def _journal_path(out: Path) -> Path:
    return out.parent / f".{out.name}{STAGING_TAG}journal"


# ---- switching a rebuilt tree into place ----
#
# A rebuild of an existing project never edits the project in place. In order:
#   1. stage: the complete new tinygen tree is written into a staging directory S beside the target T.
#   2. journal: .<T>.tinygen-journal (written atomically) names S, the identity (st_dev, st_ino) of S, and every
#      carry (T/old → S/new) planned in step 3.
#   3. carry: each entry that is not tinygen's (user files and directories, .pio/, .vscode/) moves from T into S
#      by one rename (a user entry in the way of a tinygen file moves to <name>.orig).
#   4. commit: one renameat2(RENAME_EXCHANGE) swaps T and S; without it, T → aside then S → T.
#   5. the old tinygen tree (now at S or aside) is deleted, then the journal.
# Every entry is at each moment in exactly one place the journal knows. Recovery (_recover: run when a step
# raises, and at the start of every build for a process that was killed) looks at T's identity: T is S's inode
# → committed: finish step 5; otherwise roll back: put aside back at T if step 4's fallback was cut between its
# two renames, move every carried entry back to its old path, delete S. Either way the result is the complete old
# or the complete new project with every user entry at its path; recovery is idempotent, so a recovery that is
# itself interrupted is simply run again.

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directory entries (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes
    import errno

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def _move(src: Path, dst: Path) -> None:
    """One carry or carry-back: a rename within the target's filesystem."""
    os.rename(src, dst)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def _write_journal(out: Path, journal: dict) -> None:
    path = _journal_path(out)
    tmp = path.with_name(path.name + ".next")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(journal, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(out.parent)


def _recover(out: Path) -> None:
    """Finish or undo an interrupted switch of out (see above), then delete staging trees nobody refers to."""
    path = _journal_path(out)
    path.with_name(path.name + ".next").unlink(missing_ok=True)  # a journal never completed: nothing moved yet
    if path.is_file():
        journal = json.loads(path.read_text(encoding="utf-8"))
        staging, aside = out.parent / journal["staging"], out.parent / journal["aside"]
        new_id = tuple(journal["new"])
        carried = journal["carried"]
        if _identity(out) is None and _identity(aside) is not None:
            os.rename(aside, out)  # the fallback switch was cut between its two renames: undo its first
        if _identity(out) == new_id:  # committed: only the old tinygen tree is left to delete
            for old in (staging, aside):
                if _identity(old) is not None:
                    left = [o for o, _ in carried if os.path.lexists(old / o)]
                    if left:  # cannot happen (all carries precede the commit); never delete a user's entry
                        raise TinygenError(f"{old} still holds {', '.join(left)} of yours", f"move them into {out}")
                    shutil.rmtree(old)
        else:
            for old_rel, new_rel in reversed(carried):
                if os.path.lexists(staging / new_rel) and not os.path.lexists(out / old_rel):
                    (out / old_rel).parent.mkdir(parents=True, exist_ok=True)
                    _move(staging / new_rel, out / old_rel)
            _fsync_dir(out)
            left = [n for _, n in carried if os.path.lexists(staging / n)]
            if left:
                raise TinygenError(f"an interrupted build left {', '.join(left)} of yours in {staging}",
                                   f"move them back into {out}, then build again")
            shutil.rmtree(staging, ignore_errors=True)
        path.unlink()
        _fsync_dir(out.parent)
    # Staging trees of a build killed before its journal hold only tinygen's files (nothing is carried into a
    # tree before the journal names it); a live build's are left alone.
    prefix = f".{out.name}{STAGING_TAG}"
    for stale in out.parent.glob(f"{glob.escape(prefix)}*-*"):
        pid = stale.name[len(prefix):].split("-")[0]
        if stale.is_dir() and not stale.is_symlink() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process builds one tree at a time: its own leftovers are stale
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _switch(out: Path, staging: Path, carried: list[tuple[str, str]]) -> None:
    """Steps 2–5 above."""
    aside = out.parent / f".{out.name}{STAGING_TAG}{os.getpid()}-{secrets.token_hex(4)}-old"
    try:
        _write_journal(out, {"staging": staging.name, "aside": aside.name, "new": list(_identity(staging)),
                             "carried": [list(c) for c in carried]})
        for old_rel, new_rel in carried:
            (staging / new_rel).parent.mkdir(parents=True, exist_ok=True)
            _move(out / old_rel, staging / new_rel)
        for parent in sorted({(out / o).parent for o, _ in carried} | {(staging / n).parent for _, n in carried}):
            _fsync_dir(parent)  # the carries reach the disk before the commit can
        if not _exchange(out, staging):
            os.rename(out, aside)
            os.rename(staging, out)
        _fsync_dir(out.parent)
    except BaseException:
        _recover(out)  # back to the complete old project before reporting the failure
        raise
    _recover(out)  # committed: deletes the old tinygen tree and the journal


def _plan_carries(out: Path, files: dict[str, bytes], ours: set[str]) -> tuple[list[tuple[str, str]], set[str]]:
    """Which entries of out move into the new tree, and where: everything not tinygen's, each as high up as
    possible (a directory holding nothing of tinygen's moves as one). Also returns the old tinygen files the new
    tree drops."""
    new_dirs = {Path(rel).parents[i].as_posix() for rel in files for i in range(len(Path(rel).parts) - 1)}
    ours_dirs = {Path(rel).parents[i].as_posix() for rel in ours for i in range(len(Path(rel).parts) - 1)}
    taken = set(files) | new_dirs
    carried: list[tuple[str, str]] = []

    def free(rel: str) -> str:
        candidate, n = rel + BACKUP_SUFFIX, 1
        while candidate in taken or os.path.lexists(out / candidate):
            candidate, n = f"{rel}{BACKUP_SUFFIX}.{n}", n + 1
        return candidate

    def walk(rel_dir: str) -> None:
        for entry in sorted(os.scandir(out / rel_dir), key=lambda e: e.name):
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if rel == MANIFEST or rel in ours:
                continue  # tinygen's: the new tree has its new version or drops it
            is_dir = entry.is_dir(follow_symlinks=False)
            if is_dir and rel not in files and (rel in ours_dirs or rel in new_dirs) and rel not in TOOL_DIRS:
                walk(rel)  # holds tinygen's files, or the new tree has a directory here: carry entry by entry
                continue
            # A directory holding nothing of tinygen's moves whole; an entry where tinygen writes a file (or needs
            # a directory) moves aside.
            dest = free(rel) if rel in files or (rel in new_dirs and not is_dir) else rel
            carried.append((rel, dest))
            taken.add(dest)

    walk("")
    return carried, ours - set(files)


def write_project(files: dict[str, bytes], out: Path, force: bool = False) -> WriteResult:
    out = Path(out)
    result = WriteResult(out)
    if out.is_symlink():
        raise TinygenError(f"{out} is a symbolic link", "give the directory itself")
    if out.exists() and not out.is_dir():
        raise TinygenError(f"{out} is a file", "give a directory for the project")
    if out.parent.is_dir():
        _recover(out)  # an earlier build of out that was killed: back to its old or its new project first
    if any(rel.split("/")[0] in TOOL_DIRS or rel == MANIFEST for rel in files):
        raise AssertionError("tinygen never writes into .pio/, .vscode/ or over its manifest")
    entries = {rel: {_sha256(data)} for rel, data in files.items()}
    manifest = _manifest_text(entries)

    if not out.exists() or not any(out.iterdir()):
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = _staging_dir(out)
        try:
            _write_tree(staging, {**files, MANIFEST: manifest})
            if not out.exists():
                staging.rename(out)
            elif _exchange(out, staging):
                staging.rmdir()  # the empty directory that was out
            else:
                out.rmdir()
                staging.rename(out)
            _fsync_dir(out.parent)
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

    carried, dropped = _plan_carries(out, files, ours)
    result.backed_up = {old: new for old, new in carried if old != new}
    result.removed = sorted(dropped)
    same = frozenset(rel for rel in files if rel in ours and _sha256((out / rel).read_bytes()) in entries[rel])
    result.unchanged = sorted(same)
    result.written = sorted(set(files) - same)
    old_manifest = out / MANIFEST
    if not result.written and not result.removed and not result.backed_up and old_manifest.is_file() \
            and not old_manifest.is_symlink() and old_manifest.read_bytes() == manifest:
        return result  # the project is already exactly this: leave every inode and mtime alone

    staging = _staging_dir(out)
    try:
        _write_tree(staging, {**files, MANIFEST: manifest}, reuse=out, same=same)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # nothing carried yet: only tinygen's new files
        raise
    _switch(out, staging, carried)
    return result


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
