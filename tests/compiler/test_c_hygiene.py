"""Generated C hygiene: every kernel, generated models covering every operator, and the emulator harness compile
without a single warning on gcc, clang, arm-none-eabi-gcc and riscv64-unknown-elf-gcc; the emulator runs once
under AddressSanitizer and UBSan, bit-exact with TFLM.

Warnings beyond the brief's set that the code keeps clean: conversions (-Wconversion -Wsign-conversion),
prototypes and declarations, VLAs/alloca, float promotion and equality, and (GCC) a 2 KiB stack bound per
function, the stack a board project reserves. Left out: -Wcast-qual (the CMSIS-NN-compatible quantization
structs hold non-const pointers to const tables) and -Wstrict-overflow (optimizer notes, not defects).
"""
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.support.fuzzing import SANITIZE
from tests.support.helpers import MLPERF_DIR, MLPERF_MODELS, mlperf_model
from tests.support.schema_model import SCHEMA_SEEDS

from tinygen import codegen
from tinygen.compiler import compile_model
from tinygen.emulation import emulate, host_sources

WARNINGS = ["-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Wshadow", "-Werror",
            "-Wconversion", "-Wsign-conversion", "-Wdouble-promotion", "-Wfloat-equal", "-Wstrict-prototypes",
            "-Wmissing-prototypes", "-Wmissing-declarations", "-Wold-style-definition", "-Wredundant-decls",
            "-Wnested-externs", "-Wcast-align", "-Wbad-function-cast", "-Wpointer-arith", "-Wundef", "-Wvla",
            "-Walloca", "-Wwrite-strings", "-Wformat=2", "-Wnull-dereference", "-Wswitch-default",
            "-Wimplicit-fallthrough", "-Wunused-macros"]
GCC_WARNINGS = ["-Wlogical-op", "-Wduplicated-cond", "-Wjump-misses-init", "-Wcast-align=strict",
                "-Wstack-usage=2048"]
COMPILERS = {
    "gcc": GCC_WARNINGS,
    "clang": [],
    "arm-none-eabi-gcc": GCC_WARNINGS + ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"],
    "riscv64-unknown-elf-gcc": GCC_WARNINGS + ["-march=rv32imc", "-mabi=ilp32", "--specs=picolibc.specs"],
}


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    """Kernels, the harness, and the generated C of the schema-built seeds (every operator tinygen lowers
    between them) and of the MLPerf Tiny models, on the portable and the specialized backend, in one directory."""
    out = tmp_path_factory.mktemp("c")
    models = {name: make() for name, make in SCHEMA_SEEDS.items()}
    models.update({m: (MLPERF_DIR / f"{m}.tflite").read_bytes() for m in MLPERF_MODELS
                   if (MLPERF_DIR / f"{m}.tflite").exists()})
    files = {}
    for name, raw in models.items():
        (out / f"{name}.tflite").write_bytes(raw)
        # The specialized backend's kernels are tinygen's too (for a Cortex-M4: its scratch, its DSP path).
        for suffix, backend, core in (("", "portable", "host"), ("_specialized", "specialized", "cortex-m4")):
            program = compile_model(out / f"{name}.tflite", name=name + suffix, backend=backend, core=core)
            files.update(codegen.render_model(program))
            files.update(codegen.kernel_sources(program))
            files.setdefault("main.c", host_sources(program)["main.c"])
    for fname, text in files.items():
        (out / fname).write_text(text)
    return out


def test_every_kernel_is_called(sources):
    """The hygiene build exercises every kernel file through some generated model, not just its definitions."""
    from tinygen.codegen import kernel_files

    missing = sorted(set(kernel_files()[0]) - {p.name for p in sources.glob("tg_*")})
    assert not missing, f"no generated model needs {missing}: give the operator an example (OpDef.example)"
    models = "".join(p.read_text() for p in sources.glob("*.c") if not p.name.startswith("tg_"))
    defined = re.compile(r"^(?:\w[\w ]*?\b|TG_DEFINE_\w+\()(tg_\w+)[(,]", re.M)  # or a defining macro's line
    unused = [p.name for p in sorted(sources.glob("tg_*.c"))
              if not any(f"{fn}(" in models for fn in defined.findall(p.read_text()))]
    assert not unused, f"no generated model calls into {unused}: add a seed using them to tests/support/schema_model.py"


@pytest.mark.parametrize("cc", list(COMPILERS))
def test_warning_free(cc, sources):
    if shutil.which(cc) is None:
        pytest.skip(f"{cc} is not installed")
    c_files = sorted(p.name for p in sources.glob("*.c"))
    cmd = [cc, *WARNINGS, *COMPILERS[cc], "-O2", "-c", "-I", "."] + c_files
    result = subprocess.run(cmd, cwd=sources, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(cmd[:3])} ...:\n{result.stderr[-6000:]}"
    assert result.stderr == "", result.stderr[-6000:]


@pytest.mark.parametrize("name", ["mixed", "cnn", "kws_ref_model"])
def test_emulator_under_sanitizers(name, tmp_path):
    path = tmp_path / f"{name}.tflite"
    if name in SCHEMA_SEEDS:
        path.write_bytes(SCHEMA_SEEDS[name]())
    else:
        path = mlperf_model(name)
    result = emulate(path, count=10, seed=3, flags=SANITIZE)
    assert np.array_equal(result.outputs, result.expected), result.summary()


def test_float_literals_keep_every_bit():
    """Float constants are written so the compiler reads back the same bits: infinities and the default NaN as
    <math.h>'s macros (model.c then includes it); any other NaN payload is refused, never changed."""
    from tinygen.codegen import c_float
    from tinygen.errors import TinygenError

    assert [c_float(v) for v in (np.inf, -np.inf, np.nan, -np.nan, 0.1, -0.0)] == \
        ["INFINITY", "-INFINITY", "NAN", "-NAN", "0.10000000149011612f", "-0.0f"]
    with pytest.raises(TinygenError, match="NaN with payload 0x7fc00001"):
        c_float(np.array([0x7FC00001], np.uint32).view(np.float32)[0])
