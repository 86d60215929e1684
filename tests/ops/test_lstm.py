"""UNIDIRECTIONAL_SEQUENCE_LSTM (int8 and 16x8 activations, int16 cell state; float32) and the two states it
carries.

Models from the schema builder sweep batch, time steps, time-major, units, the int16 variant, the cell clip,
the cell state's scale and random quantization; Keras LSTM layers converted by TensorFlow's int8 converter
cover the common case. Every case runs as one sequence (hidden and cell state carried from invocation to
invocation on both sides) and each byte equals TFLM's. The variants TFLM's reference kernel refuses
(peephole, projection, layer norm, CIFG, an int32 bias with int16 activations) are refused, and the tests check
that TFLM refuses them too. The float32 LSTM (schema-built, with and without a cell clip, and TFLM's float
mnist_lstm; TensorFlow converts a float Keras LSTM to a WHILE loop instead) is bit-exact on the host; on
Cortex-M4 newlib's expf and tanhf may differ in the last bit. TFLM's own LSTM models (TINYGEN_TFLM_DIR = a TFLM checkout) are
bit-exact on the host, Cortex-M4 and rv32imc, as independent samples and as sequences."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.support.helpers import (TFLM_DIR_VARIABLE, assert_reset_between_samples, assert_sequence_exact, edit_tflite,
                                   in_ci, need_target)
from tests.support.schema_model import SchemaModel, float_lstm_model

from tinygen.compiler import compile_model
from tinygen.emulation import emulate
from tinygen.errors import TinygenError
from tinygen.lowered.memory import State
from tinygen.oracle import reference_outputs
from tinygen.ops.lstm import lstm_layer

STEPS = 4


def lstm_model(seed: int, batch: int = 1, time: int = 3, input_size: int = 5, units: int = 4,
               time_major: bool = False, activations: str = "int8", layers: int = 1, **options) -> bytes:
    rng = np.random.default_rng(seed)
    m = SchemaModel("lstm")
    wide = activations == "int16"
    shape = [time, batch, input_size] if time_major else [batch, time, input_size]
    x = m.tensor(shape, activations, scale=float(rng.uniform(0.01, 0.1)) / (256 if wide else 1),
                 zero_point=0 if wide else int(rng.integers(-30, 30)))
    y = x
    for _ in range(layers):
        y = lstm_layer(m, rng, y, units=units, time_major=time_major, activations=activations, **options)
    return m.finish([x], [y])


def _write(tmp_path: Path, tflite: bytes, name: str = "lstm") -> Path:
    path = tmp_path / f"{name}.tflite"
    path.write_bytes(tflite)
    return path


CASES = {  # name → lstm_model arguments
    "one_step": dict(time=1, units=3),
    "batch_major": dict(time=4, units=4),
    "batch2": dict(batch=2, time=3, units=5),
    "time_major": dict(batch=1, time=3, units=4, time_major=True),
    "time_major_batch3": dict(batch=3, time=2, units=3, input_size=7, time_major=True),
    "wide_units": dict(time=2, units=24, input_size=16),
    "cell_clip": dict(time=5, units=4, cell_clip=0.5),
    "cell_scale_2^-15": dict(time=3, units=4, cell_scale_power=-15),
    "cell_scale_2^-8": dict(time=3, units=4, cell_scale_power=-8),
    "stacked": dict(time=3, units=6, input_size=6, layers=2),
    "int16": dict(time=3, units=4, activations="int16"),
    "int16_batch2_time_major": dict(batch=2, time=3, units=5, activations="int16", time_major=True),
    "int16_cell_clip": dict(time=4, units=3, activations="int16", cell_clip=0.25),
}


@pytest.mark.parametrize("name", list(CASES))
def test_lstm_sequence(tmp_path, name):
    seed = 100 + list(CASES).index(name)
    outputs = assert_sequence_exact(_write(tmp_path, lstm_model(seed, **CASES[name])), seed, STEPS)
    assert len(np.unique(outputs.reshape(STEPS, -1), axis=0)) > 1  # the steps differ: not a constant output


def test_states_live_in_the_state_region(tmp_path):
    """Both variables go to the state region (hidden at its zero point, cell at 0), never into the arena."""
    program = compile_model(_write(tmp_path, lstm_model(7, batch=2, units=5)))
    states = {program.graph.tensors[t].dtype: p for t, p in program.placements.items() if isinstance(p, State)}
    assert sorted(states) == ["int16", "int8"]
    assert program.state_size >= 2 * 5 + 2 * 5 * 2


@pytest.mark.parametrize("name", ["batch2", "time_major_batch3", "int16"])
def test_lstm_independent_samples(tmp_path, name):
    """Without --sequence each sample starts from the reset state (see assert_reset_between_samples)."""
    seed = 200 + list(CASES).index(name)
    path = _write(tmp_path, lstm_model(seed, **CASES[name]))
    assert_reset_between_samples(path, seed)


@pytest.mark.parametrize("seed", range(6))
def test_lstm_random_quantization(tmp_path, seed):
    rng = np.random.default_rng(seed)
    args = dict(batch=int(rng.integers(1, 3)), time=int(rng.integers(1, 5)), input_size=int(rng.integers(1, 12)),
                units=int(rng.integers(1, 9)), time_major=bool(rng.integers(0, 2)),
                activations=str(rng.choice(["int8", "int16"])), cell_clip=float(rng.choice([0.0, 1.0, 3.0])),
                cell_scale_power=int(rng.integers(-15, -9)))
    assert_sequence_exact(_write(tmp_path, lstm_model(300 + seed, **args)), seed, steps=5)


# ---- Keras LSTM layers through TensorFlow's int8 converter ----

_CONVERT = """
import sys
import tensorflow as tf
from tests.support.helpers import int8_tflite, keras_model
units, time, features, sequences = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
model = keras_model([tf.keras.layers.LSTM(units, return_sequences=sequences)], (time, features), seed=units)
open(sys.argv[5], "wb").write(int8_tflite(model, (time, features), seed=units))
"""


@pytest.mark.parametrize("units,time,features,return_sequences", [(8, 5, 3, True), (12, 7, 4, False)])
def test_keras_lstm(tmp_path, units, time, features, return_sequences):
    """Converted in a child process: TensorFlow's calibrator can crash the whole process on an LSTM."""
    import subprocess
    import sys

    path = tmp_path / "keras_lstm.tflite"
    run = subprocess.run([sys.executable, "-c", _CONVERT, str(units), str(time), str(features),
                          str(int(return_sequences)), str(path)], cwd=Path(__file__).resolve().parents[2],
                         capture_output=True, text=True)
    if run.returncode < 0 or run.returncode > 128:
        pytest.skip(f"TensorFlow's converter crashed (status {run.returncode}) calibrating the Keras LSTM")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "UNIDIRECTIONAL_SEQUENCE_LSTM" in [op.kind for op in compile_model(path).graph.ops]
    result = emulate(path, count=4, seed=units, backend="portable")
    assert np.array_equal(result.outputs, result.expected), result.summary()


# ---- float32 ----

@pytest.mark.parametrize("batch,time,input_size,units,time_major,cell_clip", [
    (1, 4, 5, 4, False, 0.0),
    (2, 3, 7, 6, False, 0.5),  # clipped cells
    (3, 2, 4, 5, True, 0.3),
])
def test_float32_lstm(tmp_path, batch, time, input_size, units, time_major, cell_clip):
    """tg_lstm_f32 in TFLM's operation order: every bit equal as one sequence (state carried) and as independent
    samples."""
    path = _write(tmp_path, float_lstm_model(batch + time + units, batch, time, input_size, units, time_major,
                                              cell_clip))
    outputs = assert_sequence_exact(path, seed=units, steps=6)
    assert outputs.dtype == np.float32
    if cell_clip:  # the clip is reached: without it the outputs differ
        unclipped = _write(tmp_path, float_lstm_model(batch + time + units, batch, time, input_size, units,
                                                       time_major, 0.0), "unclipped")
        assert not np.array_equal(outputs, assert_sequence_exact(unclipped, seed=units, steps=6))
    result = emulate(path, count=20, seed=units)
    assert np.array_equal(result.outputs.view(np.uint32), result.expected.view(np.uint32)), result.summary()


def test_float32_lstm_on_cortex_m4(tmp_path):
    """On Cortex-M4, newlib's expf and tanhf (FPv4-SP) keep the float LSTM within 1e-6 of TFLM."""
    need_target("cortex-m4")
    path = _write(tmp_path, float_lstm_model(9, 1, 3, 4, 5, False, 0.0))
    result = emulate(path, count=2, seed=4, target="cortex-m4")
    assert result.outputs.dtype == np.float32 and result.max_abs_diff < 1e-6, result.summary()


# ---- what TFLM's reference kernel refuses ----

def _edited(seed: int, edit, **args) -> bytes:
    return edit_tflite(lstm_model(seed, **args), edit)


def _add_vector(sg, model, dtype: str, size: int, scale: float) -> int:
    """A constant [size] tensor appended to subgraph sg of an object tree; returns its index."""
    from ai_edge_litert import schema_py_generated as schema

    t = schema.TensorT()
    t.shape, t.type, t.name = [size], getattr(schema.TensorType, dtype.upper()), f"extra{len(sg.tensors)}"
    b = schema.BufferT()
    b.data = np.frombuffer(np.ones(size, getattr(np, dtype)).tobytes(), np.uint8)
    model.buffers.append(b)
    t.buffer = len(model.buffers) - 1
    q = schema.QuantizationParametersT()
    q.scale, q.zeroPoint = [scale], [0]
    t.quantization = q
    sg.tensors.append(t)
    return len(sg.tensors) - 1


def _with_input(position: int, dtype: str = "int16"):
    def edit(model):
        sg = model.subgraphs[0]
        units = sg.tensors[sg.operators[0].inputs[18]].shape[1]
        inputs = list(sg.operators[0].inputs)
        inputs[position] = _add_vector(sg, model, dtype, units, 1e-3)
        sg.operators[0].inputs = inputs
    return edit


def _without_input(position: int):
    def edit(model):
        op = model.subgraphs[0].operators[0]
        op.inputs = [-1 if k == position else i for k, i in enumerate(op.inputs)]
    return edit


def _bias_as_int32(model):
    from ai_edge_litert import schema_py_generated as schema

    sg = model.subgraphs[0]
    for k in (12, 13, 14, 15):
        t = sg.tensors[sg.operators[0].inputs[k]]
        data = np.frombuffer(bytes(model.buffers[t.buffer].data), np.int64).astype(np.int32)
        model.buffers[t.buffer].data = np.frombuffer(data.tobytes(), np.uint8)
        t.type = schema.TensorType.INT32


REFUSED = {  # name → (model, words of tinygen's message)
    "peephole": (lambda: _edited(1, _with_input(10)), "peephole"),
    "projection": (lambda: _edited(2, _with_input(17, "int32")), "projection"),
    "layer_norm": (lambda: _edited(3, _with_input(21)), "layer norm"),
    "cifg": (lambda: _edited(4, _without_input(1)), "CIFG"),
    "int16_with_int32_bias": (lambda: _edited(5, _bias_as_int32, activations="int16"), "reads the biases as int64"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_as_tflm_refuses(tmp_path, name):
    build, words = REFUSED[name]
    path = _write(tmp_path, build())
    with pytest.raises(TinygenError, match=words):
        compile_model(path)
    if name != "int16_with_int32_bias":  # TFLM does not refuse that one: it reads past the int32 data
        with pytest.raises(TinygenError, match="cannot run this model"):
            reference_outputs(path.read_bytes(), np.zeros((1, 1, 3, 5), np.int8))


def test_other_cell_gate_activation_refused(tmp_path):
    def relu(model):
        model.subgraphs[0].operators[0].builtinOptions.fusedActivationFunction = 1

    with pytest.raises(TinygenError, match="only one TFLite Micro's integer LSTM defines"):
        compile_model(_write(tmp_path, _edited(6, relu)))


# ---- TFLM's example models ----

TFLM_MODELS = {  # name → path in a TFLM checkout
    "mnist_lstm": "tensorflow/lite/micro/examples/mnist_lstm/trained_lstm_int8.tflite",
    "micro_speech_lstm": "third_party/xtensa/examples/micro_speech_lstm/micro_speech_lstm.tflite",
    "dtln": "tensorflow/lite/micro/examples/dtln/dtln_noise_suppression.tflite",  # two LSTMs, FC, LOGISTIC
    "mnist_lstm_float": "tensorflow/lite/micro/examples/mnist_lstm/trained_lstm.tflite",
}
FLOAT_MODELS = ("mnist_lstm_float",)  # bit-exact on the host; newlib's expf and tanhf on the targets


def tflm_model(name: str) -> Path:
    root = os.environ.get(TFLM_DIR_VARIABLE, "")
    if not root:
        pytest.skip(f"{TFLM_DIR_VARIABLE} is not set (a TFLM checkout with its example models)")
    path = Path(root) / TFLM_MODELS[name]
    if not path.exists():
        if in_ci():
            pytest.fail(f"{path} missing (CI is set)", pytrace=False)
        pytest.skip(f"{path} missing")
    return path


@pytest.mark.parametrize("name", list(TFLM_MODELS))
def test_tflm_models_host(name):
    path = tflm_model(name)
    result = emulate(path, count=3, seed=1)
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert_sequence_exact(path, seed=2, steps=3)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(TFLM_MODELS))
def test_tflm_models_host_100(name):
    path = tflm_model(name)
    result = emulate(path, count=100, seed=3)
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert_sequence_exact(path, seed=4, steps=100)


@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
@pytest.mark.parametrize("name", list(TFLM_MODELS))
def test_tflm_models_emulated(name, target):
    need_target(target)
    path = tflm_model(name)
    result = emulate(path, count=2, seed=5, target=target)
    if name in FLOAT_MODELS:
        assert result.max_abs_diff < 1e-6, result.summary()
        return
    assert np.array_equal(result.outputs, result.expected), result.summary()
    assert_sequence_exact(path, seed=6, steps=2, target=target)
