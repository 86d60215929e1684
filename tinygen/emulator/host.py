"""Host emulator: the generated C compiled with the host compiler and run on a batch of inputs."""
from __future__ import annotations

import functools
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .. import progress, toolchain
from ..errors import TinygenError

WARNINGS = ["-std=c99", "-Wall", "-Wextra", "-Werror"]
# Float kernels are bit-exact with TFLM's only if a*b+c stays two roundings: clang contracts it into a fused
# multiply-add by default, GCC does in GNU mode, wherever the target has one (x86-64-v3, Cortex-M4F, M7, M55).
FLOAT_EXACT = ["-ffp-contract=off"]
PROGRAM, MANIFEST = "prog", "manifest.json"  # a cache entry: the binary, and its hash with what it was built from
NATIVE = "-march=native"


@functools.cache
def native_target(compiler_id: str, compiler: str) -> str | None:
    """What `-march=native` stands for on this machine: the compiler driver's expansion of it (gcc's cc1 line
    with -march=<cpu> and every -m feature; clang's -target-cpu and -target-feature list), or None where the
    compiler does not take it. Part of the cache key of a -march=native build: the cache may live in a home
    directory that several machines share, and a binary made for one CPU may not run on another's."""
    del compiler_id  # the cache key of this function: another compiler at the same path expands it anew
    try:
        result = subprocess.run([compiler, NATIVE, "-###", "-E", "-x", "c", os.devnull], capture_output=True,
                                text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = [line for line in result.stderr.splitlines()  # the compiler proper's line, not the driver's echo
             if ("-march=" in line and "native" not in line) or "-target-cpu" in line]
    return "\n".join(lines) if result.returncode == 0 and lines else None


def default_flags(compiler: str = "cc") -> list[str]:
    """The host emulator's optimization: -O3 (GCC vectorizes the specialized kernels' wide channel blocks) for
    this machine's CPU where the compiler knows it (AVX2 doubles the lanes of x86-64's baseline SSE2)."""
    native = native_target(toolchain.identity(compiler), compiler)
    return ["-O3"] + ([NATIVE] if native else [])


def cache_root() -> Path:
    root = os.environ.get("TINYGEN_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "tinygen")
    return Path(root)


CACHE_KINDS = ("host", "footprint", "cortex-m*", "rv32imc", "xtensa")  # what tinygen keeps in its cache root


def cache_error(error: OSError) -> TinygenError:
    """The cache directory cannot be written: say which one and how to move or clear it (only tinygen's own
    subdirectories: TINYGEN_CACHE may name a directory that holds other things too)."""
    root = cache_root()
    ours = " ".join(str(root / kind) for kind in CACHE_KINDS)
    return TinygenError(f"cannot write tinygen's build cache {root} ({error.strerror or error})",
                        f"make it writable, clear tinygen's entries (rm -rf {ours}), or point TINYGEN_CACHE at "
                        "another directory")


def build_cached(sources: dict[str, str], compiler: list[str], flags: list[str], kind: str = "host",
                 packages: str = "gcc libc6-dev") -> Path:
    """Compile {file: text} once into an executable; reuse it while sources, flags and compiler are unchanged.

    File names may contain directories; the compiler runs inside the build directory, so flags can name
    files of `sources` by relative path (-I include/, -T link.ld). `packages`: Debian packages providing
    the compiler, named when it is missing or broken.

    Each entry records the hash of its binary (manifest.json); an entry whose binary no longer has that hash
    (truncated, replaced, half-deleted) is rebuilt. Entries are built aside and renamed into place, so two
    processes building the same one at once both end with a whole, verified entry.
    """
    compiler_id = toolchain.identity(compiler[0], packages)
    digest = hashlib.sha256(compiler_id.encode() + b"\0")
    for part in compiler + flags:
        digest.update(part.encode() + b"\0")
    if NATIVE in flags:
        digest.update(f"{NATIVE}: {native_target(compiler_id, compiler[0])}".encode() + b"\0")
    for fname in sorted(sources):
        digest.update(fname.encode() + b"\0" + sources[fname].encode() + b"\0")
    out_dir = cache_root() / kind / digest.hexdigest()[:24]
    if _verified(out_dir):
        return out_dir / PROGRAM
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        # mode from the umask, unlike tempfile.mkdtemp's 0700, which would hide a shared cache's entries
        work = out_dir.parent / f".build-{os.getpid()}-{secrets.token_hex(4)}"
        work.mkdir()
    except OSError as e:
        raise cache_error(e) from None
    try:
        _build_entry(work, sources, compiler + flags, packages, digest.hexdigest(), compiler_id)
        _install(work, out_dir)
    except OSError as e:
        raise cache_error(e) from None
    finally:  # also on Ctrl-C: a half-built entry is never left behind (a finished one was renamed away)
        shutil.rmtree(work, ignore_errors=True)
    return out_dir / PROGRAM


def _build_entry(work: Path, sources: dict[str, str], command: list[str], packages: str, inputs: str,
                 compiler_id: str) -> None:
    """Compile `sources` in `work` into PROGRAM and describe it in MANIFEST."""
    for fname, text in sources.items():
        (work / fname).parent.mkdir(parents=True, exist_ok=True)
        (work / fname).write_text(text)
    cmd = command + ["-I", "."] + sorted(f for f in sources if f.endswith(".c")) + ["-o", PROGRAM, "-lm"]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=work)
    if result.returncode != 0:
        raise toolchain.failure(cmd, result, packages)
    (work / MANIFEST).write_text(json.dumps({"binary_sha256": _sha256(work / PROGRAM), "inputs": inputs,
                                             "compiler": compiler_id, "command": cmd}, indent=1))


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _verified(entry: Path) -> bool:
    """The entry holds the binary its manifest describes."""
    try:
        manifest = json.loads((entry / MANIFEST).read_text())
        return _sha256(entry / PROGRAM) == manifest["binary_sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _install(work: Path, entry: Path) -> None:
    """Rename the built directory `work` to `entry`, replacing a damaged entry (moved aside first: a directory
    cannot be replaced in one rename). Another process's verified entry wins; ours is dropped."""
    for _ in range(3):
        try:
            work.rename(entry)  # atomic; fails if entry exists and is not empty
            return
        except OSError:
            if _verified(entry):
                shutil.rmtree(work, ignore_errors=True)
                return
        stale = Path(tempfile.mkdtemp(dir=entry.parent, prefix=".stale-"))
        try:
            entry.rename(stale / "entry")
        except OSError:
            pass  # another process moved it first
        finally:
            shutil.rmtree(stale, ignore_errors=True)
    raise OSError(f"{entry} kept changing while tinygen replaced it")


def run_batch(exe: Path, inputs: np.ndarray, output_shape: tuple, output_dtype) -> np.ndarray:
    """Run the harness over [N, ...] inputs in one process; returns [N, *output_shape]. On a terminal a bar
    follows the outputs it writes."""
    record = int(np.prod(output_shape)) * np.dtype(output_dtype).itemsize
    with tempfile.TemporaryDirectory() as tmp, progress.bar("generated C (host)", len(inputs)) as bar:
        in_path, out_path = Path(tmp) / "in.bin", Path(tmp) / "out.bin"
        np.ascontiguousarray(inputs).tofile(in_path)
        result = progress.run_counting([str(exe), str(in_path), str(out_path)], bar, out_path, record)
        if result.returncode != 0:
            raise RuntimeError(f"generated program failed (exit {result.returncode}): {result.stderr[-2000:]}")
        data = np.fromfile(out_path, dtype=output_dtype)
    return data.reshape((len(inputs),) + tuple(output_shape))
