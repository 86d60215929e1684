"""SVDF (int8 input and output, int16 or int8 state) and the state it keeps across invocations.

Models from the schema builder (TensorFlow has no SVDF layer) sweep rank, units, memory size, batch, fused
activation (which TFLM's integer kernel ignores), the state type and random quantization; every case is run as
one sequence, the state carried from step to step on both sides, and as independent samples (state reset
before each), each byte equal to TFLM's. TFLM's own keyword models (TINYGEN_TFLM_DIR = a TFLM checkout) run
bit-exact whole (int16 input, int8 -> int16 softmax, int32 output) and without those ends."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as schema

from tests.support.helpers import assert_reset_between_samples, assert_sequence_exact, edit_tflite, need_target
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.emulation import emulate, random_inputs
from tinygen.errors import TinygenError
from tinygen.lowered.memory import State
from tinygen.ops.svdf import svdf_layer

STEPS = 6


def svdf_model(seed: int, batch: int = 1, input_size: int = 10, rank: int = 1, units: int = 4, memory: int = 3,
               state_type: str = "int16", activation: int = 0, layers: int = 1,
               time_weight_limit: int | None = None) -> bytes:
    rng = np.random.default_rng(seed)
    m = SchemaModel("svdf")
    x = m.tensor([batch, input_size], scale=float(rng.uniform(0.01, 0.1)), zero_point=int(rng.integers(-30, 30)))
    y = x
    for _ in range(layers):
        y = svdf_layer(m, rng, y, rank=rank, units=units, memory=memory, state_type=state_type,
                       activation=activation, time_weight_limit=time_weight_limit)
    return m.finish([x], [y])


def _write(tmp_path: Path, tflite: bytes, name: str = "svdf") -> Path:
    path = tmp_path / f"{name}.tflite"
    path.write_bytes(tflite)
    return path


CASES = {  # name → svdf_model arguments
    "rank1": dict(rank=1, units=4, memory=3),
    "rank2": dict(rank=2, units=3, memory=4),
    "rank3_memory1": dict(rank=3, units=2, memory=1),
    "one_unit_long_memory": dict(rank=1, units=1, memory=16, input_size=7),
    "batch2": dict(batch=2, rank=2, units=3, memory=5),
    "batch3_int8": dict(batch=3, rank=1, units=5, memory=4, state_type="int8"),
    "int8_state": dict(rank=2, units=4, memory=6, state_type="int8"),
    "relu": dict(rank=1, units=6, memory=4, activation=1),
    "relu_int8": dict(rank=2, units=2, memory=3, activation=1, state_type="int8"),
    "long_time_sums": dict(rank=4, units=3, memory=32, input_size=40),
    "stacked": dict(rank=1, units=8, memory=4, input_size=8, layers=3),
}


@pytest.mark.parametrize("name", list(CASES))
def test_svdf_sequence(tmp_path, name):
    seed = 100 + list(CASES).index(name)
    outputs = assert_sequence_exact(_write(tmp_path, svdf_model(seed, **CASES[name])), seed, STEPS)
    assert len(np.unique(outputs.reshape(STEPS, -1), axis=0)) > 1  # the steps differ: not a constant output


def test_time_sums_wrap_as_tflm(tmp_path):
    """Saturated int16 state times the largest time weights: each unit's sum passes 2^31 (TFLM's int32 sum
    wraps; so does tinygen's, by definition) and the output still equals TFLM's byte for byte."""
    m = SchemaModel("wrap")
    x = m.tensor([1, 4], scale=1.0, zero_point=-128)
    filters, memory = 4, 16
    wf = m.tensor([filters, 4], data=np.full((filters, 4), 127, np.int8), scale=1.0)
    wt = m.tensor([filters, memory], "int16", data=np.full((filters, memory), 32767, np.int16), scale=1e-3)
    b = m.tensor([2], "int32", data=np.array([0, -5], np.int32), scale=1e-3)
    state = m.tensor([1, memory * filters], "int16", scale=1.0, variable=True)
    y = m.tensor([1, 2], scale=1e3)
    m.op("SVDF", [x, wf, wt, b, state], [y], rank=2)
    path = _write(tmp_path, m.finish([x], [y]), "wrap")
    inputs = np.full((memory + 2, 1, 4), 127, np.int8)  # the state fills with 32767 in `memory` steps
    result = emulate(path, inputs=inputs, sequence=True)
    assert np.array_equal(result.outputs, result.expected), result.summary()
    # 2 filters x 16 x 32767^2 = 2^35.0: the full sum wraps 32 times to -2^21 (scaled 1e-6 → -2), not saturated
    assert result.outputs[-1].tolist() == [[-2, -2]]


@pytest.mark.parametrize("name", ["rank2", "batch3_int8", "stacked"])
def test_svdf_independent_samples(tmp_path, name):
    """Without --sequence each sample starts from the reset state (see assert_reset_between_samples)."""
    seed = 200 + list(CASES).index(name)
    path = _write(tmp_path, svdf_model(seed, **CASES[name]))
    assert_reset_between_samples(path, seed)


@pytest.mark.parametrize("seed", range(6))
def test_svdf_random_quantization(tmp_path, seed):
    rng = np.random.default_rng(seed)
    args = dict(batch=int(rng.integers(1, 3)), input_size=int(rng.integers(1, 24)), rank=int(rng.integers(1, 4)),
                units=int(rng.integers(1, 7)), memory=int(rng.integers(1, 10)),
                state_type=str(rng.choice(["int16", "int8"])), activation=int(rng.choice([0, 1])))
    assert_sequence_exact(_write(tmp_path, svdf_model(300 + seed, **args)), seed, steps=8)


def test_state_lives_outside_the_arena(tmp_path):
    """Each variable gets its own bytes of the state region (8-byte aligned), never an arena offset; reset
    values follow TFLM's ResetVariableTensors (an int8 variable its zero point, other types 0); the report and
    the header show the state's size."""
    from tinygen.codegen import render_model
    from tinygen.report import format_table, memory_report

    rng = np.random.default_rng(7)
    m = SchemaModel("svdf")
    x = m.tensor([1, 6], scale=0.05, zero_point=1)
    h = svdf_layer(m, rng, x, rank=1, units=3, memory=3, state_type="int8")  # state: 9 bytes
    y = svdf_layer(m, rng, h, rank=2, units=2, memory=5, state_type="int16")  # state: 40 bytes
    program = compile_model(_write(tmp_path, m.finish([x], [y])))
    states = [t for t in program.graph.tensors if t.is_variable]
    assert [program.placements[t.index] for t in states] == [State(0), State(16)]
    assert [(r.offset, r.size) for r in program.state] == [(0, 9), (16, 40)] and program.state_size == 56
    assert program.state[0].fill == states[0].zero_point & 0xFF and program.state[1].fill == 0
    assert all(t.index not in b.tensors for b in program.buffers for t in states)
    sources = render_model(program)
    assert "#define SVDF_STATE_SIZE 56" in sources["svdf.h"] and "void svdf_reset(void);" in sources["svdf.h"]
    assert f"memset(state + 0, {program.state[0].fill}, 9)" in sources["svdf.c"]
    report = memory_report(program)
    assert report["totals"]["state_bytes"] == 56
    assert [layer["inputs"][1]["offset"] for layer in report["layers"]] == ["state+0", "state+16"]
    assert "state (RAM, kept between invokes) 56 B" in format_table(report)


def test_stateless_model_has_an_empty_reset(tmp_path):
    from tests.support.schema_model import fc_model
    from tinygen.codegen import render_model

    program = compile_model(_write(tmp_path, fc_model(3), "fc"))
    sources = render_model(program)
    assert program.state_size == 0 and "#define FC_STATE_SIZE 0" in sources["fc.h"]
    assert "static int8_t state[" not in sources["fc.c"] and "void fc_reset(void)" in sources["fc.c"]


def test_reset_clears_the_state(tmp_path):
    """A C program of its own: a sequence, reset, the same sequence again gives the same outputs, and the first
    invoke after start-up (before any reset) equals the first after a reset, with a nonzero int8 zero point."""
    import subprocess

    from tinygen.codegen import program_sources
    from tinygen.emulator import host

    path = _write(tmp_path, svdf_model(11, rank=2, units=3, memory=4, state_type="int8"))
    program = compile_model(path)
    assert any(r.fill for r in program.state)
    files = program_sources(program)
    files["main.c"] = """#include <stdio.h>
#include <string.h>
#include "svdf.h"
int main(void)
{
    int8_t x[SVDF_INPUT_SIZE], first[4][SVDF_OUTPUT_SIZE], again[SVDF_OUTPUT_SIZE];
    int step, i;
    for (step = 0; step < 4; step++) {
        for (i = 0; i < SVDF_INPUT_SIZE; i++) x[i] = (int8_t)(step * 37 + i * 11 - 60);
        if (svdf_invoke(x, first[step]) != 0) return 2;
    }
    svdf_reset();
    for (step = 0; step < 4; step++) {
        for (i = 0; i < SVDF_INPUT_SIZE; i++) x[i] = (int8_t)(step * 37 + i * 11 - 60);
        if (svdf_invoke(x, again) != 0 || memcmp(again, first[step], sizeof again) != 0) return 1;
    }
    return memcmp(first[0], first[1], sizeof again) == 0 && memcmp(first[1], first[2], sizeof again) == 0;
}
"""
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    exe = tmp_path / "reset"
    sources = [str(tmp_path / n) for n in files if n.endswith(".c")]
    subprocess.run(["cc", *host.WARNINGS, "-O2", "-o", str(exe), *sources], check=True)
    assert subprocess.run([str(exe)]).returncode == 0


def test_variable_outside_an_svdf_is_refused(tmp_path):
    m = SchemaModel("bad")
    x = m.tensor([1, 4], scale=0.1)
    v = m.tensor([1, 4], scale=0.1, variable=True)
    y = m.tensor([1, 4], scale=0.2)
    m.op("ADD", [x, v], [y])
    with pytest.raises(TinygenError, match=r"is a variable .* read by ADD \(operator 0\) input 1"):
        compile_model(_write(tmp_path, m.finish([x], [y]), "bad"))


@pytest.mark.parametrize("case, message", [
    ("state_not_variable", "is not a variable tensor"),
    ("time_weights_other_type", "int8 time weights and int16 state"),
    ("bias_scale", "has bias scale"),
    ("rank_not_dividing", "has rank 3"),
])
def test_svdf_refusals(tmp_path, case, message):
    def edit(model):
        sg = model.subgraphs[0]
        op = sg.operators[0]
        time, bias, state = (sg.tensors[i] for i in op.inputs[2:5])
        if case == "state_not_variable":  # a constant state (without data it is an input nothing computes)
            buffer = schema.BufferT()
            buffer.data = np.zeros(2 * int(np.prod(state.shape)), np.uint8)
            model.buffers.append(buffer)
            state.isVariable, state.buffer = False, len(model.buffers) - 1
        elif case == "time_weights_other_type":
            time.type = 9  # INT8 (the buffer's bytes still fit: 2 per int16 value read as 2 int8 values)
            time.shape = [time.shape[0], time.shape[1] * 2]
        elif case == "bias_scale":
            bias.quantization.scale = [bias.quantization.scale[0] + 2e-5]  # TFLM allows 1e-5 off, absolute
        else:
            op.builtinOptions.rank = 3

    tflite = edit_tflite(svdf_model(5, rank=2, units=2, memory=3), edit)
    with pytest.raises(TinygenError, match=message):
        compile_model(_write(tmp_path, tflite, "bad"))


# ---- TFLM's keyword models ----

def _keyword_model(name: str) -> Path:
    root = os.environ.get("TINYGEN_TFLM_DIR")
    if not root:
        pytest.skip("TINYGEN_TFLM_DIR (a TensorFlow Lite Micro checkout) is not set")
    path = Path(root) / "tensorflow" / "lite" / "micro" / "models" / f"{name}.tflite"
    if not path.exists():
        pytest.skip(f"{path} missing")
    return path


def _keyword_core(path: Path, tmp_path: Path) -> Path:
    """The keyword model without its int16 input QUANTIZE and its SOFTMAX + int32 QUANTIZE: int8 in, int8
    logits out, its seven SVDFs and the fully connected layers between them as they are."""
    def edit(model):
        sg = model.subgraphs[0]
        assert [model.operatorCodes[o.opcodeIndex].builtinCode for o in sg.operators[:2]] == [114, 27]
        sg.operators = sg.operators[1:-2]
        sg.inputs, sg.outputs = [sg.operators[0].inputs[0]], [sg.operators[-1].outputs[0]]

    return _write(tmp_path, edit_tflite(path.read_bytes(), edit), f"{path.stem}_core")


@pytest.mark.parametrize("name", ["keyword_scrambled_8bit", "keyword_scrambled"])
def test_keyword_model_whole(tmp_path, name):
    """int16 in, QUANTIZE to int8, the SVDFs, SOFTMAX to int16, QUANTIZE to int32: 100 independent random inputs
    (state reset before each) and one sequence carrying the state, every byte equal to TFLM's. (The scrambled
    weights make the two probabilities nearly constant: the per-operator tests vary the softmax.)"""
    path = _keyword_model(name)
    result = emulate(path, count=100, seed=11)
    assert result.outputs.dtype == np.int32
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert_sequence_exact(path, seed=12, steps=24)


@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
def test_keyword_model_whole_on_qemu(target):
    need_target(target)
    result = emulate(_keyword_model("keyword_scrambled"), count=3, seed=13, target=target)
    assert np.array_equal(result.outputs, result.expected), result.summary()


@pytest.mark.parametrize("name, state_bytes", [("keyword_scrambled_8bit", 5120), ("keyword_scrambled", 10240)])
def test_keyword_model_core(tmp_path, name, state_bytes):
    path = _keyword_core(_keyword_model(name), tmp_path)
    program = compile_model(path)
    assert [layer.op.kind for layer in program.layers].count("SVDF") == 7 and program.state_size == state_bytes
    assert_sequence_exact(path, seed=3, steps=24)


@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
def test_svdf_on_qemu(tmp_path, target):
    need_target(target)
    assert_sequence_exact(_write(tmp_path, svdf_model(9, batch=2, rank=2, units=3, memory=5)), 9, steps=3,
                          target=target)
    assert_sequence_exact(_write(tmp_path, svdf_model(10, rank=1, units=4, memory=4, state_type="int8"), "svdf8"),
                          10, steps=3, target=target)


def test_keyword_model_core_on_cortex_m4(tmp_path):
    need_target("cortex-m4")
    assert_sequence_exact(_keyword_core(_keyword_model("keyword_scrambled_8bit"), tmp_path), seed=4, steps=3,
                          target="cortex-m4")


def test_demo_resets_before_its_check(tmp_path):
    """The project's demo (ESP32: no cycle counter, so main.c builds for the host) run twice in one process, as
    the Arduino loop() does: PASS both times because it resets the state first; without the reset the second
    run starts from the state the first left and fails, so the reset is what the second PASS shows."""
    import subprocess

    from tinygen.boards import get_board
    from tinygen.emulator import host
    from tinygen.project import generate

    project = generate(_write(tmp_path, svdf_model(12, rank=2, units=4, memory=4)), get_board("esp32dev"))
    lib = f"lib/{project.program.name}"
    for rel, data in project.files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    main_c = (tmp_path / "src" / "main.c").read_text()
    twice = main_c.replace("    return tinygen_demo_run();",
                           "    (void)tinygen_demo_run();\n    return tinygen_demo_run();")
    assert twice != main_c and "svdf_reset();" in main_c
    verdicts = {}
    for variant, text in (("reset", twice), ("no_reset", twice.replace("svdf_reset();", ""))):
        (tmp_path / "src" / "main.c").write_text(text)
        sources = ["src/main.c"] + sorted(r for r in project.files if r.startswith(lib) and r.endswith(".c"))
        subprocess.run(["cc", *host.WARNINGS, "-O2", f"-I{lib}", *sources, "-o", variant, "-lm"], cwd=tmp_path,
                       check=True)
        run = subprocess.run([f"./{variant}"], cwd=tmp_path, capture_output=True, text=True)
        verdicts[variant] = [line.split(": ")[-1] for line in run.stdout.splitlines() if " on the " in line]
    assert verdicts == {"reset": ["PASS", "PASS"], "no_reset": ["PASS", "FAIL"]}


def test_emulate_command_sequence_option(tmp_path):
    """`tinygen emulate --input X.npy [--sequence]`: both readings of the first axis are bit-exact, and they
    differ (the outputs written with --output), so the option reaches both the C harness and TFLM."""
    from click.testing import CliRunner

    from tinygen.cli import main

    path = _write(tmp_path, svdf_model(13, rank=1, units=3, memory=4))
    np.save(tmp_path / "x.npy", random_inputs(compile_model(path).input, 5, 13))
    outputs = {}
    for flags in ([], ["--sequence"]):
        out = tmp_path / f"y{len(flags)}.npy"
        result = CliRunner().invoke(main, ["emulate", str(path), "--input", str(tmp_path / "x.npy"),
                                           "--output", str(out), *flags])
        assert result.exit_code == 0 and "bit-exact: 5 inputs" in result.output, result.output
        outputs[bool(flags)] = np.load(out)
    assert np.array_equal(outputs[False][0], outputs[True][0]) and not np.array_equal(outputs[False], outputs[True])


# ---- CMSIS-NN (TINYGEN_CMSIS_NN = a CMSIS-NN tree) ----

needs_cmsis_nn = pytest.mark.skipif(not os.environ.get("TINYGEN_CMSIS_NN"),
                                    reason="TINYGEN_CMSIS_NN is not set: the cmsis-nn backend needs a CMSIS-NN tree")
# Time weights small enough that no int32 sum can overflow: the cases CMSIS-NN's SVDF runs exactly.
CMSIS_CASES = {
    "rank1": dict(rank=1, units=4, memory=3),
    "rank2_batch2": dict(batch=2, rank=2, units=3, memory=5),
    "rank3_memory1": dict(rank=3, units=2, memory=1),
    "long_memory": dict(rank=1, units=2, memory=16, input_size=7),
}


@needs_cmsis_nn
@pytest.mark.parametrize("target", ["host", "cortex-m4", "cortex-m55"])  # plain C, DSP, Helium
@pytest.mark.parametrize("name", list(CMSIS_CASES))
def test_cmsis_nn_svdf(tmp_path, name, target):
    need_target(target)
    seed = 300 + list(CMSIS_CASES).index(name)
    path = _write(tmp_path, svdf_model(seed, time_weight_limit=1500, **CMSIS_CASES[name]))
    program = compile_model(path, backend="cmsis-nn", core="cortex-m4")
    assert [layer.kernel for layer in program.layers] == ["arm_svdf_state_s16_s8"]
    assert_sequence_exact(path, seed, STEPS, target=target, backend="cmsis-nn")


@needs_cmsis_nn
def test_cmsis_nn_svdf_only_where_exact(tmp_path):
    """Portable kernel for an int8 state, for time weights whose sums could overflow int32 (CMSIS-NN's Helium
    path saturates where TFLM wraps) and for an int16 state zero point (CMSIS-NN ignores it)."""
    from tinygen.ops.svdf import cmsis_nn

    int8_state = _write(tmp_path, svdf_model(1, state_type="int8"), "int8_state")
    full_range = _write(tmp_path, svdf_model(2, rank=2, units=3, memory=8), "full_range")
    for path in (int8_state, full_range):
        program = compile_model(path, backend="cmsis-nn", core="cortex-m4")
        assert [layer.kernel for layer in program.layers] in (["tg_svdf_s8_s8"], ["tg_svdf_s8_s16"])
    assert_sequence_exact(full_range, 2, 3, backend="cmsis-nn")
    (layer,) = compile_model(_write(tmp_path, svdf_model(3, time_weight_limit=1500), "small")).layers
    assert cmsis_nn.retarget(layer, "dsp") is not None
    shifted = layer.replace(params=dataclasses.replace(layer.params, state_zero_point=3))
    assert cmsis_nn.retarget(shifted, "dsp") is None
