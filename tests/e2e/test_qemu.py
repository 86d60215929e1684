"""tinygen emulate --target: the generated C cross-compiled for Cortex-M (QEMU system mode, semihosting),
rv32imc (qemu-riscv32 user mode) and Xtensa lx106 (qemu-system-xtensa's sim machine), compared byte for byte
with TFLM, with exact guest instruction counts."""
import subprocess
import time

import numpy as np
import pytest
from click.testing import CliRunner

from tests.support.helpers import int8_tflite, keras_model, mlperf_model, need_target

from tinygen.cli import main
from tinygen.compiler import compile_model
from tinygen.emulation import emulate, random_inputs, run_qemu
from tinygen.emulator import host, qemu
from tinygen.errors import TinygenError


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    """Conv, depthwise, residual ADD, both pools, FC and softmax: the MLPerf models' kernels, small."""
    import tensorflow as tf

    L = tf.keras.layers

    def net(x):
        y = L.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
        z = L.DepthwiseConv2D(3, padding="same")(y)
        y = L.Add()([y, L.Conv2D(8, 1, activation="relu6")(z)])
        y = L.AveragePooling2D(2)(L.MaxPooling2D(2, strides=1, padding="same")(y))
        return L.Softmax()(L.Dense(10)(L.Reshape((-1,))(y)))

    path = tmp_path_factory.mktemp("qemu") / "small.tflite"
    path.write_bytes(int8_tflite(keras_model(net, (16, 16, 3), seed=5), (16, 16, 3), seed=5))
    return path


@pytest.mark.parametrize("target", list(qemu.TARGETS))
def test_small_model_bit_exact(small_model, target):
    need_target(target)
    result = emulate(small_model, count=12, seed=3, target=target)
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert result.target == target
    assert result.instructions is not None and len(result.instructions) == 12, result.note
    assert min(result.instructions) > 1000  # a whole inference, not just the marker calls


@pytest.mark.parametrize("target", ["cortex-m4", "xtensa"])
def test_instruction_counts_are_deterministic(small_model, target):
    need_target(target)
    program = compile_model(small_model, core=qemu.TARGETS[target].core)
    inputs = random_inputs(program.input, 4, seed=9)
    first = run_qemu(program, inputs, target)
    again = run_qemu(program, inputs, target)
    assert first.instructions is not None and len(first.instructions) == 4, first.note
    assert first.instructions == again.instructions
    assert np.array_equal(first.outputs, again.outputs)


def test_xtensa_counts_are_labelled_lx106(small_model):
    need_target("xtensa")
    result = CliRunner().invoke(main, ["emulate", str(small_model), "--target", "xtensa", "--count", "2"])
    assert result.exit_code == 0, result.output
    assert "bit-exact: 2 inputs" in result.output and "(xtensa, specialized kernels)" in result.output
    assert "instructions per inference (lx106 ISA: a proxy for the ESP32's LX6" in result.output


def test_xtensa_char_is_unsigned():
    """What this target checks that x86 cannot: plain char is unsigned on Xtensa, so int8 code must say int8_t."""
    need_target("xtensa")
    t = qemu.TARGETS["xtensa"]
    probe = {"probe.c": "_Static_assert((char)-1 > 0, \"plain char is unsigned\");\nint main(void) { return 0; }\n"}
    qemu.build(probe, t, ["-std=c99", "-O2"])


# ---- guest faults: an Xtensa exception ends the run with 0x80 | EXCCAUSE, reported, never a hang ----

FAULTING_HARNESS = """#include <stdint.h>
#include <stdio.h>
void tg_bench_start(void);
void tg_bench_stop(void);
__attribute__((noinline)) void tg_bench_start(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) void tg_bench_stop(void) { __asm__ volatile("" ::: "memory"); }
int main(void)
{
    static int32_t words[2];
    volatile uintptr_t address = (uintptr_t)words + %d;
    FILE *out = fopen("tg_out.bin", "wb");
    return *(volatile int32_t *)address + (out != NULL);
}
"""


@pytest.mark.parametrize("offset, cause", [(1, "EXCCAUSE 9: unaligned load/store"),
                                           (-0x60000000, "EXCCAUSE 15: load/store address error")])
def test_xtensa_guest_exception_is_reported(offset, cause):
    need_target("xtensa")
    t = qemu.TARGETS["xtensa"]
    elf = qemu.build({"main.c": FAULTING_HARNESS % offset}, t, ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O2"])
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=f"generated program faulted \\({cause}\\) under QEMU sim"):
        qemu.run(elf, t, np.zeros((1, 4), np.int8), (1, 4), np.int8)
    assert time.monotonic() - start < 60  # the vector exits; without it QEMU spins until the timeout


def test_float_io_on_xtensa_is_explained(tmp_path):
    """Debian's lx106 libgcc has no soft-float: a model quantizing a float input in C is refused, clearly."""
    need_target("xtensa")
    import tensorflow as tf

    L = tf.keras.layers
    model = keras_model([L.Conv2D(4, 3), L.Reshape((-1,)), L.Dense(3)], (8, 8, 2), seed=1)
    path = tmp_path / "float_io.tflite"
    path.write_bytes(int8_tflite(model, (8, 8, 2), seed=1, io_dtype="float"))
    with pytest.raises(TinygenError, match=r"computes in float at run time .* no soft-float __floatsisf"):
        emulate(path, count=1, target="xtensa")


# ---- the libgcc helpers the lx106 lacks, checked on the host against C's own operators ----

HELPER_CHECK = r"""#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
int32_t __divsi3(int32_t, int32_t); int32_t __modsi3(int32_t, int32_t);
uint32_t __udivsi3(uint32_t, uint32_t); uint32_t __umodsi3(uint32_t, uint32_t);
uint64_t __umulsidi3(uint32_t, uint32_t); int64_t __muldi3(int64_t, int64_t);
int64_t __divdi3(int64_t, int64_t); int64_t __moddi3(int64_t, int64_t);
uint64_t __udivdi3(uint64_t, uint64_t); uint64_t __umoddi3(uint64_t, uint64_t);

static long failures;
static void check(const char *what, uint64_t a, uint64_t b, uint64_t got, uint64_t want)
{
    if (got != want && failures++ < 20) {
        printf("%s(%#llx, %#llx) = %#llx, want %#llx\n", what, (unsigned long long)a, (unsigned long long)b,
               (unsigned long long)got, (unsigned long long)want);
    }
}

static void pair(uint64_t a, uint64_t b)
{
    const uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
    const int32_t sa = (int32_t)ua, sb = (int32_t)ub;
    const int64_t la = (int64_t)a, lb = (int64_t)b;
    check("__umulsidi3", ua, ub, __umulsidi3(ua, ub), (uint64_t)ua * ub);
    check("__muldi3", a, b, (uint64_t)__muldi3(la, lb), a * b);
    if (ub != 0) {
        check("__udivsi3", ua, ub, __udivsi3(ua, ub), ua / ub);
        check("__umodsi3", ua, ub, __umodsi3(ua, ub), ua % ub);
        if (!(sa == INT32_MIN && sb == -1)) {  /* C leaves it undefined; the helper wraps (checked below) */
            check("__divsi3", ua, ub, (uint32_t)__divsi3(sa, sb), (uint32_t)(sa / sb));
            check("__modsi3", ua, ub, (uint32_t)__modsi3(sa, sb), (uint32_t)(sa % sb));
        }
    }
    if (b != 0) {
        check("__udivdi3", a, b, __udivdi3(a, b), a / b);
        check("__umoddi3", a, b, __umoddi3(a, b), a % b);
        if (!(la == INT64_MIN && lb == -1)) {
            check("__divdi3", a, b, (uint64_t)__divdi3(la, lb), (uint64_t)(la / lb));
            check("__moddi3", a, b, (uint64_t)__moddi3(la, lb), (uint64_t)(la % lb));
        }
    }
}

static uint64_t next(uint64_t *state)  /* splitmix64 */
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int main(void)
{
    static const uint64_t edges[] = {
        0, 1, 2, 3, 7, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFE, 0xFFFFFFFF,
        0x100000000ull, 0x1FFFFFFFFull, 0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull, 0x8000000000000001ull,
        0xFFFFFFFF00000000ull, 0xFFFFFFFFFFFFFFFEull, 0xFFFFFFFFFFFFFFFFull,
        (uint64_t)-2, (uint64_t)-3, (uint64_t)-7, (uint64_t)-0x10000, (uint64_t)(int64_t)INT32_MIN,
        (uint64_t)(int64_t)INT32_MAX, 1000000007, (uint64_t)-1000000007,
    };
    const size_t n = sizeof edges / sizeof edges[0];
    uint64_t state = 14;
    long pairs = 0;
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < n; ++j, ++pairs) {
            pair(edges[i], edges[j]);
            pair(edges[i] & 0xFFFFFFFFu, edges[j]);  /* 32-bit dividends with 64-bit divisors and back */
        }
    }
    for (int k = 0; k < 200000; ++k, ++pairs) {
        const uint64_t a = next(&state), b = next(&state);
        const int shift = (int)(next(&state) % 64);  /* divisors of every magnitude */
        pair(a, b >> shift);
        pair(a >> (shift / 2), (b >> shift) | 1);
    }
    check("__divsi3", 0x80000000u, 0xFFFFFFFFu, (uint32_t)__divsi3(INT32_MIN, -1), 0x80000000u);
    check("__modsi3", 0x80000000u, 0xFFFFFFFFu, (uint32_t)__modsi3(INT32_MIN, -1), 0);
    check("__divdi3", 1ull << 63, ~0ull, (uint64_t)__divdi3(INT64_MIN, -1), 1ull << 63);
    check("__moddi3", 1ull << 63, ~0ull, (uint64_t)__moddi3(INT64_MIN, -1), 0);
    printf("%ld pairs, %ld failures\n", pairs, failures);
    return failures != 0;
}
"""


def test_xtensa_libgcc_helpers_match_c_operators():
    """tg_xtensa_libgcc.c built with the host cc (ordinary C): every helper equals C's operator on edge values
    (0, ±1, INT_MIN, INT_MAX, word boundaries, negative operands) and 400,000 random pairs."""
    source = {"tg_xtensa_libgcc.c": (qemu.HERE / "tg_xtensa_libgcc.c").read_text(), "check.c": HELPER_CHECK}
    exe = host.build_cached(source, ["cc"], host.WARNINGS + ["-O2", "-fno-builtin"], kind="test-libgcc")
    result = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 failures" in result.stdout


def test_rejected_plugin_still_compares(small_model, tmp_path, monkeypatch):
    """If QEMU cannot load the counting plugin, the outputs are still compared and the summary says why."""
    need_target("cortex-m4")
    bogus = tmp_path / "not_a_plugin.so"
    bogus.write_text("not an ELF")
    monkeypatch.setattr(qemu, "plugin", lambda: bogus)
    result = emulate(small_model, count=2, target="cortex-m4")
    assert result.exact and result.instructions is None
    assert "rejected the plugin" in result.summary()


def test_cli_target(small_model, tmp_path):
    need_target("rv32imc")
    out = tmp_path / "out.npy"
    result = CliRunner().invoke(main, ["emulate", str(small_model), "--target", "rv32imc", "--count", "3",
                                       "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "bit-exact: 3 inputs" in result.output and "(rv32imc, specialized kernels)" in result.output
    assert "instructions per inference" in result.output
    assert np.load(out).shape == (3, 1, 10)


def test_missing_toolchain_names_packages(small_model, monkeypatch):
    monkeypatch.setattr(qemu.shutil, "which", lambda tool: None)
    with pytest.raises(TinygenError, match="gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"):
        emulate(small_model, count=1, target="cortex-m4")
    with pytest.raises(TinygenError, match="picolibc-riscv64-unknown-elf"):
        emulate(small_model, count=1, target="rv32imc")
    with pytest.raises(TinygenError, match="xtensa-lx106-elf-gcc is not installed .* apt-get install gcc-xtensa-lx106 "
                                           "binutils-xtensa-lx106 picolibc-xtensa-lx106-elf qemu-system-misc"):
        emulate(small_model, count=1, target="xtensa")


def test_arena_beyond_the_machine_is_explained(tmp_path):
    """The AN547's 512 KB of DTCM cannot hold a 1 MB arena: a TinygenError, not a linker dump."""
    need_target("cortex-m55")
    import tensorflow as tf

    L = tf.keras.layers
    model = keras_model([L.Conv2D(32, 1), L.Conv2D(32, 1), L.AveragePooling2D(16), L.Reshape((-1,)), L.Dense(2)],
                        (128, 128, 3), seed=1)
    path = tmp_path / "big.tflite"
    path.write_bytes(int8_tflite(model, (128, 128, 3), seed=1))
    with pytest.raises(TinygenError, match="does not fit QEMU mps3-an547"):
        emulate(path, count=1, target="cortex-m55")


def test_unknown_target(small_model):
    with pytest.raises(TinygenError, match="cortex-m55"):
        emulate(small_model, count=1, target="cortex-m99")


# ---- MLPerf Tiny, 100 inputs each, portable kernels ----

@pytest.mark.slow
@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
@pytest.mark.parametrize("model", ["ad01_int8", "kws_ref_model", "vww_96_int8"])
def test_mlperf_on_isa(model, target):
    path = mlperf_model(model)
    need_target(target)
    result = emulate(path, count=100, seed=11, target=target)  # seed 11: ad01 caught a per-tensor FC rounding
    assert result.inputs == 100
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert result.instructions and len(result.instructions) == 100, result.note


@pytest.mark.slow
@pytest.mark.parametrize("model, count", [("kws_ref_model", 10), ("vww_96_int8", 5)])
def test_mlperf_on_xtensa(model, count):
    """KWS and VWW bit-exact on the lx106 ISA, a few random inputs each (CI's cost stays in seconds)."""
    path = mlperf_model(model)
    need_target("xtensa")
    result = emulate(path, count=count, seed=11, target="xtensa")
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert result.instructions and len(result.instructions) == count, result.note


@pytest.mark.parametrize("target,backend", [("cortex-m4", "specialized"), ("cortex-m7", "specialized"),
                                            ("rv32imc", "specialized"), ("xtensa", "specialized"),
                                            ("cortex-m3", "portable")])
def test_cli_default_backend_per_target(small_model, target, backend):
    """The DSP Cortex-M cores, rv32imc and Xtensa run the specialized kernels unless --backend says otherwise; the
    M3 the portable."""
    need_target(target)
    result = CliRunner().invoke(main, ["emulate", str(small_model), "--target", target, "--count", "2"])
    assert result.exit_code == 0, result.output
    assert f"({target}, {backend} kernels)" in result.output
    result = CliRunner().invoke(main, ["emulate", str(small_model), "--target", target, "--count", "2",
                                       "--backend", "portable"])
    assert result.exit_code == 0 and f"({target}, portable kernels)" in result.output, result.output
