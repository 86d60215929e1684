"""The C compilers tinygen runs: who they are (for cache keys) and whose fault a failed build is.

Generated C that does not compile is a bug in tinygen. A compiler that crashes, or cannot compile even an empty
program, is the user's environment; a link that overflows a memory region is the model's size. Both are told
apart from a bug here, so they are reported with a fix instead of as an internal error.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .contain import signal_name
from .errors import TinygenError

# What every generated program needs of the compiler: its C library's headers (a compiler installed without them,
# e.g. gcc without libc6-dev or arm-none-eabi-gcc without newlib, is the environment's fault, not tinygen's).
HEADERS = ("math.h", "stdint.h", "stdio.h", "string.h")
TRIVIAL = "".join(f"#include <{h}>\n" for h in HEADERS) + "int main(void) { return 0; }\n"
_OVERFLOW = re.compile(r"region [`'](\S+?)' overflowed by (\d+) bytes|will not fit in region [`'](\S+?)'")


# Debian's package of each cross prefix's binutils (size, nm)
BINUTILS = {"arm-none-eabi-": "binutils-arm-none-eabi", "riscv64-unknown-elf-": "binutils-riscv64-unknown-elf",
            "xtensa-lx106-elf-": "binutils-xtensa-lx106"}


def resolve(compiler: str, packages: str = "gcc", what: str = "C compiler") -> Path:
    """The compiler's executable, or a TinygenError saying how to install it."""
    found = shutil.which(compiler)
    if found is None:
        raise TinygenError(f"{what} '{compiler}' not found", f"install it (Debian: apt-get install {packages})")
    return Path(os.path.realpath(found))


def identity(compiler: str, packages: str = "gcc") -> str:
    """What a build's result depends on about the compiler: its resolved path, size and modification time
    (cheap, unlike running `--version` on every use; an upgrade changes them)."""
    path = resolve(compiler, packages)
    st = path.stat()
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def failure(command: list[str], result: subprocess.CompletedProcess, packages: str = "gcc") -> Exception:
    """The exception for a failed compile or link of generated code: a TinygenError when the compiler is at
    fault or the model does not fit, else a RuntimeError (a bug in tinygen)."""
    compiler = command[0]
    stderr = result.stderr or ""
    if result.returncode < 0:
        return _broken(compiler, f"it crashed ({signal_name(-result.returncode)})", packages)
    overflow = _OVERFLOW.search(stderr)
    if overflow:
        region = overflow.group(1) or overflow.group(3)
        by = f" by {int(overflow.group(2)):,} bytes" if overflow.group(2) else ""
        return TinygenError(f"the model does not fit the linker's memory region '{region}' ({compiler}: "
                            f"overflowed{by})", "choose a target with more memory, or make the model smaller")
    # the flags that choose the target and its C library (-mcpu, -march, --specs=picolibc.specs) apply to the probe
    target_flags = tuple(a for a in command[1:] if a.startswith(("-m", "--specs=")))
    problem = _probe(compiler, target_flags, identity(compiler, packages))
    if problem:
        return _broken(compiler, problem, packages)
    return RuntimeError(f"generated C failed to compile ({compiler}):\n{stderr[-4000:]}")


def binutil(command: list[str]) -> str:
    """The output of a binutils tool (size, nm) on a file tinygen built; a missing or broken tool is the
    user's environment, not a bug."""
    tool = command[0]
    packages = next((p for prefix, p in BINUTILS.items() if tool.startswith(prefix)), "binutils")
    resolve(tool, packages, "binutils tool")
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise _broken(tool, f"it cannot be run ({e})", packages, "binutils tool") from None
    if result.returncode < 0:
        raise _broken(tool, f"it crashed ({signal_name(-result.returncode)})", packages, "binutils tool")
    if result.returncode != 0:
        lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        raise _broken(tool, f"exit {result.returncode}{f': {lines[-1][:200]}' if lines else ''}", packages, "binutils tool")
    return result.stdout


def _broken(compiler: str, problem: str, packages: str, what: str = "C compiler") -> TinygenError:
    where = shutil.which(compiler) or compiler
    return TinygenError(f"the {what} '{compiler}' ({where}) is broken: {problem}",
                        f"repair or reinstall it (Debian: apt-get install --reinstall {packages}), or put a "
                        "working one first on PATH")


@functools.lru_cache(maxsize=None)
def _probe(compiler: str, target_flags: tuple[str, ...], identity: str) -> str:  # noqa: ARG001 - keys the cache
    """"" if `compiler` compiles a program of only C library includes to an object file, else what went wrong."""
    with tempfile.TemporaryDirectory(prefix="tinygen_probe_") as tmp:
        (Path(tmp) / "probe.c").write_text(TRIVIAL)
        try:
            result = subprocess.run([compiler, *target_flags, "-c", "probe.c", "-o", "probe.o"], cwd=tmp, capture_output=True,
                                    text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"it cannot be run ({e})"
    if result.returncode < 0:
        return f"it crashed on an empty program ({signal_name(-result.returncode)})"
    if result.returncode != 0:
        lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        first_error = next((line for line in lines if "error" in line), lines[-1] if lines else "")
        said = f": {first_error[:200]}" if first_error else ""
        return (f"it cannot compile an empty program that includes {', '.join(HEADERS)}: exit {result.returncode}"
                f"{said}")
    return ""
