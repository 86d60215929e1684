"""Host emulator: the generated C compiled with the host compiler and run on a batch of inputs."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .. import progress
from ..errors import TinygenError

WARNINGS = ["-std=c99", "-Wall", "-Wextra", "-Werror"]


def cache_root() -> Path:
    root = os.environ.get("TINYGEN_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "tinygen")
    return Path(root)


def build_cached(sources: dict[str, str], compiler: list[str], flags: list[str], kind: str = "host",
                 packages: str = "gcc") -> Path:
    """Compile {file: text} once into an executable; reuse it when sources and flags are unchanged.

    File names may contain directories; the compiler runs inside the build directory, so flags can name
    files of `sources` by relative path (-I include/, -T link.ld). `packages`: Debian packages providing
    the compiler, named when it is missing.
    """
    digest = hashlib.sha256()
    for part in compiler + flags:
        digest.update(part.encode() + b"\0")
    for fname in sorted(sources):
        digest.update(fname.encode() + b"\0" + sources[fname].encode() + b"\0")
    out_dir = cache_root() / kind / digest.hexdigest()[:24]
    exe = out_dir / "prog"
    if exe.exists():
        return exe
    if shutil.which(compiler[0]) is None:
        raise TinygenError(f"C compiler '{compiler[0]}' not found",
                           f"install it (Debian: apt-get install {packages})")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=out_dir.parent))
    for fname, text in sources.items():
        (work / fname).parent.mkdir(parents=True, exist_ok=True)
        (work / fname).write_text(text)
    c_files = sorted(f for f in sources if f.endswith(".c"))
    cmd = compiler + flags + ["-I", "."] + c_files + ["-o", "prog", "-lm"]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=work)
    if result.returncode != 0:
        raise RuntimeError(f"generated C failed to compile ({' '.join(compiler)}):\n{result.stderr[-4000:]}")
    try:
        work.rename(out_dir)
    except OSError:  # another process built the same sources first
        shutil.rmtree(work, ignore_errors=True)
    return exe


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
