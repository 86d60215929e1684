"""The emulator's build cache verifies what it holds, and a broken compiler is the environment, not a bug.

A damaged entry (truncated binary, another program's binary) is rebuilt and the result stays bit-exact with
TFLM; an unwritable cache names its directory; a fake `cc` on PATH that fails or crashes gives exit status 2
naming the compiler, while generated C that fails to compile with a working compiler stays exit status 3."""
from __future__ import annotations

import os
from pathlib import Path
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.support.schema_model import cnn_model, fc_model
from tinygen.cli import main
from tinygen.emulation import emulate


@pytest.fixture
def cache(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("TINYGEN_CACHE", str(root))
    return root


def _model(tmp_path, raw=None):
    path = tmp_path / "model.tflite"
    path.write_bytes(raw or fc_model(1))
    return path


def _entries(cache, kind="host"):
    return sorted((cache / kind).glob("[0-9a-f]*/prog"))


def test_entries_follow_the_umask(tmp_path, cache):
    """A shared cache's entries are readable by its other users (not mkdtemp's 0700), and no build dir is left."""
    old = os.umask(0o022)
    try:
        assert emulate(_model(tmp_path), count=1).exact
    finally:
        os.umask(old)
    (exe,) = _entries(cache)
    assert exe.parent.stat().st_mode & 0o777 == 0o755
    assert [p.name for p in (cache / "host").iterdir()] == [exe.parent.name]


def test_truncated_binary_is_rebuilt(tmp_path, cache):
    path = _model(tmp_path)
    assert emulate(path, count=4).exact
    (exe,) = _entries(cache)
    exe.write_bytes(exe.read_bytes()[:100])  # "Exec format error" if it were run
    result = emulate(path, count=4)
    assert result.exact and result.inputs == 4
    assert _entries(cache) == [exe] and exe.stat().st_size > 100


def test_another_programs_binary_is_rebuilt(tmp_path, cache):
    """An entry holding the wrong program would compare the wrong outputs: it must not be used."""
    fc, cnn = _model(tmp_path), tmp_path / "cnn.tflite"
    cnn.write_bytes(cnn_model(2))
    assert emulate(fc, count=3).exact and emulate(cnn, count=3).exact
    first, second = _entries(cache)
    first_bytes, second_bytes = first.read_bytes(), second.read_bytes()
    first.write_bytes(second_bytes)  # swapped: each entry holds the other model's program
    second.write_bytes(first_bytes)
    assert emulate(fc, count=3).exact and emulate(cnn, count=3).exact


def test_damaged_qemu_entry_is_rebuilt(tmp_path, cache):
    if subprocess.run(["which", "riscv64-unknown-elf-gcc", "qemu-riscv32"], capture_output=True).returncode:
        pytest.skip("needs riscv64-unknown-elf-gcc and qemu-riscv32 (.ci/run installs them)")
    path = _model(tmp_path)
    assert emulate(path, count=2, target="rv32imc").exact
    (elf,) = _entries(cache, "rv32imc")
    elf.write_bytes(b"")
    assert emulate(path, count=2, target="rv32imc").exact
    assert elf.stat().st_size > 0


def test_two_processes_fill_one_entry(tmp_path, cache):
    path = _model(tmp_path)
    code = f"from tinygen.emulation import emulate; assert emulate({str(path)!r}, count=2).exact"
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(2)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    assert len(_entries(cache)) == 1
    assert not [p for p in (cache / "host").iterdir() if p.name.startswith(".")]  # no leftovers


def test_unwritable_cache_names_its_directory(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    root.write_text("a file where the cache directory should be")  # unwritable even for root
    monkeypatch.setenv("TINYGEN_CACHE", str(root))
    _model(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["emulate", "model.tflite", "--count", "1"])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(f"error: cannot write tinygen's build cache {root} (")
    assert "TINYGEN_CACHE" in result.stderr


FAKE_CC = {"fails": "#!/bin/sh\necho 'cc: fatal error: no input files' >&2\nexit 1\n",
           "crashes": "#!/bin/sh\nkill -SEGV $$\n",
           "no C library headers": "#!/bin/sh\nexec gcc -nostdinc \"$@\"\n"}  # gcc without libc6-dev
BROKEN = {"fails": "cannot compile an empty program that includes math.h, stdint.h, stdio.h, string.h: exit 1: "
                   "cc: fatal error: no input files",
          "crashes": "SIGSEGV",
          "no C library headers": "error: no include path in which to search for math.h"}


def _fake_tool(tmp_path, monkeypatch, name: str, script: str) -> Path:
    """`name` on PATH is `script`; returns its path. The test's model is written and the cwd is tmp_path."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / name).write_text(script)
    (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    _model(tmp_path)
    monkeypatch.chdir(tmp_path)
    return bin_dir / name


@pytest.mark.parametrize("kind", list(FAKE_CC))
def test_broken_compiler_is_the_environment(tmp_path, cache, monkeypatch, kind):
    cc = _fake_tool(tmp_path, monkeypatch, "cc", FAKE_CC[kind])
    result = CliRunner().invoke(main, ["emulate", "model.tflite", "--count", "1", "--output", "y.npy"])
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    message = result.stderr.strip()
    assert message.startswith(f"error: the C compiler 'cc' ({cc}) is broken: ")
    assert BROKEN[kind] in message and "libc6-dev" in message
    assert not (tmp_path / "y.npy").exists() and not _entries(cache)


def test_generated_c_that_does_not_compile_is_still_a_bug(tmp_path, cache, monkeypatch):
    import tinygen.emulation

    real = tinygen.emulation.host_sources
    monkeypatch.setattr(tinygen.emulation, "host_sources",
                        lambda p, **options: dict(real(p, **options), **{"bad.c": "int f(void) {"}))
    _model(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["emulate", "model.tflite", "--count", "1"])
    assert result.exit_code == 3 and "generated C failed to compile" in result.stderr


def test_broken_cross_compiler_in_report_is_the_environment(tmp_path, cache, monkeypatch):
    """`report` measures with the core's gcc: a broken one is named, exit status 2."""
    _fake_tool(tmp_path, monkeypatch, "arm-none-eabi-gcc", FAKE_CC["fails"])
    result = CliRunner().invoke(main, ["report", "model.tflite", "--board", "nucleo_f446re"])
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stderr.startswith("error: the C compiler 'arm-none-eabi-gcc' (")


@pytest.mark.parametrize("kind", ["fails", "crashes"])
def test_broken_size_tool_in_report_is_the_environment(tmp_path, cache, monkeypatch, kind):
    """`report --board` reads flash from the core's `size`: a failing or crashing one is named, exit 2."""
    size = _fake_tool(tmp_path, monkeypatch, "arm-none-eabi-size", FAKE_CC[kind])
    result = CliRunner().invoke(main, ["report", "model.tflite", "--board", "nucleo_f446re", "--json"])
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stderr.startswith(f"error: the binutils tool 'arm-none-eabi-size' ({size}) is broken: ")
    assert "binutils-arm-none-eabi" in result.stderr and not result.stdout
    assert not list((cache / "footprint").glob("*.json"))  # nothing measured is remembered


def test_damaged_footprint_entry_is_measured_again(tmp_path, cache):
    from tinygen.boards import get_board
    from tinygen.compiler import compile_model
    from tinygen.measure import footprint

    program = compile_model(_model(tmp_path))
    board = get_board("nucleo_f446re")
    first = footprint(program, board)
    (entry,) = (cache / "footprint").glob("*.json")
    entry.write_text('{"flash_bytes": 1')
    assert footprint(program, board) == first


def test_native_builds_are_keyed_by_the_cpu(tmp_path, cache, monkeypatch):
    """A -march=native binary is cached per CPU (the driver's expansion of the flag), so a cache shared by
    machines with different CPUs never hands one of them another's binary; other flags ignore the expansion."""
    from tinygen.emulator import host

    sources = {"main.c": "int main(void) { return 0; }\n"}
    cpus = iter(["-march=cpu-a -mavx2", "-march=cpu-b -mno-avx2", "-march=cpu-b -mno-avx2"])
    monkeypatch.setattr(host, "native_target", lambda compiler_id, compiler: next(cpus))
    first = host.build_cached(sources, ["cc"], ["-O2", host.NATIVE])
    second = host.build_cached(sources, ["cc"], ["-O2", host.NATIVE])
    assert first != second
    assert host.build_cached(sources, ["cc"], ["-O2", host.NATIVE]) == second  # the same CPU: the same entry
    monkeypatch.setattr(host, "native_target", lambda compiler_id, compiler: pytest.fail("not a native build"))
    host.build_cached(sources, ["cc"], ["-O2"])


def test_native_target_expands_the_flag():
    """The host compiler's expansion names a CPU; the emulator's default flags use it only where it exists."""
    from tinygen import toolchain
    from tinygen.emulator import host

    expansion = host.native_target(toolchain.identity("cc"), "cc")
    flags = host.default_flags()
    assert flags[0] == "-O3"
    assert (host.NATIVE in flags) == (expansion is not None)
    if expansion is not None:
        assert "-march=" in expansion or "-target-cpu" in expansion
        assert "native" not in expansion  # resolved to a CPU, not the flag repeated
