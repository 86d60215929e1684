"""tinygen emulate --target: the generated C cross-compiled for Cortex-M (QEMU system mode, semihosting) and
rv32imc (qemu-riscv32 user mode), compared byte for byte with TFLM, with exact guest instruction counts."""
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from tests.support.helpers import int8_tflite, keras_model, mlperf_model

from tinygen.cli import main
from tinygen.compiler import compile_model
from tinygen.emulation import emulate, random_inputs, run_qemu
from tinygen.emulator import qemu
from tinygen.errors import TinygenError


def need(target):
    t = qemu.TARGETS[target]
    missing = [tool for tool in (t.compiler, t.emulator[0]) if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian: apt-get install {t.packages})")


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
    need(target)
    result = emulate(small_model, count=12, seed=3, target=target)
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert result.target == target
    assert result.instructions is not None and len(result.instructions) == 12, result.note
    assert min(result.instructions) > 1000  # a whole inference, not just the marker calls


def test_instruction_counts_are_deterministic(small_model):
    need("cortex-m4")
    program = compile_model(small_model, core="cortex-m4")
    inputs = random_inputs(program.input, 4, seed=9)
    first = run_qemu(program, inputs, "cortex-m4")
    again = run_qemu(program, inputs, "cortex-m4")
    assert first.instructions == again.instructions
    assert np.array_equal(first.outputs, again.outputs)


def test_rejected_plugin_still_compares(small_model, tmp_path, monkeypatch):
    """If QEMU cannot load the counting plugin, the outputs are still compared and the summary says why."""
    need("cortex-m4")
    bogus = tmp_path / "not_a_plugin.so"
    bogus.write_text("not an ELF")
    monkeypatch.setattr(qemu, "plugin", lambda: bogus)
    result = emulate(small_model, count=2, target="cortex-m4")
    assert result.exact and result.instructions is None
    assert "rejected the plugin" in result.summary()


def test_cli_target(small_model, tmp_path):
    need("rv32imc")
    out = tmp_path / "out.npy"
    result = CliRunner().invoke(main, ["emulate", str(small_model), "--target", "rv32imc", "--count", "3",
                                       "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "bit-exact: 3 inputs" in result.output and "(rv32imc)" in result.output
    assert "instructions per inference" in result.output
    assert np.load(out).shape == (3, 1, 10)


def test_missing_toolchain_names_packages(small_model, monkeypatch):
    monkeypatch.setattr(qemu.shutil, "which", lambda tool: None)
    with pytest.raises(TinygenError, match="gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"):
        emulate(small_model, count=1, target="cortex-m4")
    with pytest.raises(TinygenError, match="picolibc-riscv64-unknown-elf"):
        emulate(small_model, count=1, target="rv32imc")


def test_arena_beyond_the_machine_is_explained(tmp_path):
    """The AN547's 512 KB of DTCM cannot hold a 1 MB arena: a TinygenError, not a linker dump."""
    need("cortex-m55")
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
    need(target)
    result = emulate(path, count=100, seed=11, target=target)  # seed 11: ad01 caught a per-tensor FC rounding
    assert result.inputs == 100
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert result.instructions and len(result.instructions) == 100, result.note
