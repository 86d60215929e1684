"""Resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE, CALL_ONCE): state in the state region, bit-exact
with TFLM over sequences (state carried on both sides) and over independent samples (each from the initial
value CALL_ONCE assigns: `<name>_reset()` restores it, TFLM gets a fresh interpreter per sample).

Schema-built models cover an alias read, a read whose value outlives an ASSIGN (a copy), two variables, a
variable without initialisation (TFLM's default: the zero point) and the refusals; TensorFlow builds a float
tf.Variable (the converter's default: READ → QUANTIZE ... DEQUANTIZE → ASSIGN)."""
from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as schema

from tests.support.schema_model import SchemaModel
from tinygen.compiler import compile_model
from tinygen.emulation import emulate, random_inputs
from tinygen.errors import TinygenError
from tinygen.lowered.memory import State

STEPS = 5


def _init_subgraph(m: SchemaModel, assigns) -> None:
    """Append CALL_ONCE's init subgraph to m: for each (shared name, constant int8 value, scale, zero point)
    a VAR_HANDLE and an ASSIGN_VARIABLE; a None value assigns a non-constant (an ADD's output)."""
    main, init = m.sg, schema.SubGraphT()
    init.tensors, init.operators, init.inputs, init.outputs, init.name = [], [], [], [], "init"
    m.sg = init
    for name, value, scale, zero_point in assigns:
        handle = m.tensor([], "resource")
        m.op("VAR_HANDLE", [], [handle], shared_name=name)
        if value is None:
            a = m.tensor([1, 6], data=np.ones((1, 6), np.int8), scale=scale, zero_point=zero_point)
            value_t = m.tensor([1, 6], scale=scale, zero_point=zero_point)
            m.op("ADD", [a, a], [value_t])
        else:
            value_t = m.tensor(value.shape, data=value, scale=scale, zero_point=zero_point)
        m.op("ASSIGN_VARIABLE", [handle, value_t], [])
    m.model.subgraphs.append(init)
    m.sg = main


def accumulator(seed: int, read_after_assign: bool = False, initialised: bool = True, variables: int = 1) -> bytes:
    """y = x + v_1 + ... ; each v_k = the running sum so far; with `read_after_assign` the output also adds the
    value read before the ASSIGN (so the read cannot alias the variable)."""
    rng = np.random.default_rng(seed)
    m = SchemaModel("accumulator")
    x = m.tensor([1, 6], scale=float(rng.uniform(0.02, 0.08)), zero_point=int(rng.integers(-20, 20)))
    s, z = float(rng.uniform(0.05, 0.2)), int(rng.integers(-20, 20))
    if initialised:
        m.op("CALL_ONCE", [], [], init_subgraph_index=1)
    y, reads = x, []
    for k in range(variables):
        handle = m.tensor([], "resource")
        v = m.tensor([1, 6], scale=s, zero_point=z)
        m.op("VAR_HANDLE", [], [handle], shared_name=f"v{k}")
        m.op("READ_VARIABLE", [handle], [v])
        total = m.tensor([1, 6], scale=s, zero_point=z)
        m.op("ADD", [y, v], [total])
        m.op("ASSIGN_VARIABLE", [handle, total], [])
        y, reads = total, reads + [v]
    if read_after_assign:
        out = m.tensor([1, 6], scale=2 * s, zero_point=z)
        m.op("ADD", [y, reads[0]], [out])
        y = out
    if initialised:
        _init_subgraph(m, [(f"v{k}", rng.integers(-50, 50, (1, 6)).astype(np.int8), s, z) for k in range(variables)])
    return m.finish([x], [y])


def _path(tmp_path, tflite: bytes, name: str = "accumulator"):
    path = tmp_path / f"{name}.tflite"
    path.write_bytes(tflite)
    return path


def assert_exact(path, seed: int, sequence: bool) -> np.ndarray:
    inputs = random_inputs(compile_model(path).input, STEPS, seed)
    result = emulate(path, inputs=inputs, sequence=sequence, backend="portable")
    assert np.array_equal(result.outputs, result.expected), result.summary()
    return result.outputs


CASES = {"alias": {}, "copy": dict(read_after_assign=True), "two_variables": dict(variables=2),
         "default_value": dict(initialised=False)}


@pytest.mark.parametrize("sequence", [True, False], ids=["sequence", "independent"])
@pytest.mark.parametrize("name", list(CASES))
def test_accumulator(tmp_path, name, sequence):
    seed = 10 + list(CASES).index(name)
    path = _path(tmp_path, accumulator(seed, **CASES[name]))
    outputs = assert_exact(path, seed, sequence).reshape(STEPS, -1)
    if sequence:  # the state carries over: equal inputs would still give different outputs
        assert len(np.unique(outputs, axis=0)) > 1


def test_read_is_an_alias_unless_an_assign_intervenes(tmp_path):
    for read_after_assign, alias in ((False, True), (True, False)):
        program = compile_model(_path(tmp_path, accumulator(1, read_after_assign=read_after_assign)))
        (read,) = [layer for layer in program.layers if layer.op.kind == "READ_VARIABLE"]
        assert read.alias == alias
        assert isinstance(program.placements[read.inputs[0]], State)
        assert program.state_size == 6  # one [1, 6] int8 variable


def test_reset_restores_the_init_subgraphs_value(tmp_path):
    """Nonzero initial bytes: reset copies them (not a memset), and invoke resets once before the first run."""
    from tinygen.codegen import render_model

    program = compile_model(_path(tmp_path, accumulator(2)))
    (region,) = program.state
    assert region.initial is not None and len(region.initial) == 6
    text = render_model(program)["accumulator.c"]
    assert "memcpy(state + 0, state0_initial, 6);" in text and "if (!state_ready)" in text


@pytest.mark.parametrize("kind,message", [
    ("non_constant", r"CALL_ONCE \(operator 0\) initialises its variables in subgraph 1 with ADD \(operator 1\); "
                     "tinygen evaluates init subgraphs that assign constants only"),
    ("while", r"has 2 subgraphs \(control flow: WHILE\); tinygen reads further subgraphs only as CALL_ONCE"),
])
def test_refusals(tmp_path, kind, message):
    m = SchemaModel("refused")
    x = m.tensor([1, 6], scale=0.05)
    y = m.tensor([1, 6], scale=0.05)
    if kind == "non_constant":
        m.op("CALL_ONCE", [], [], init_subgraph_index=1)
        handle = m.tensor([], "resource")
        v = m.tensor([1, 6], scale=0.05)
        m.op("VAR_HANDLE", [], [handle], shared_name="v")
        m.op("READ_VARIABLE", [handle], [v])
        m.op("ADD", [x, v], [y])
        _init_subgraph(m, [("v", None, 0.05, 0)])
    else:
        m.op("WHILE", [x], [y], cond_subgraph_index=1, body_subgraph_index=1)
        body = schema.SubGraphT()
        body.tensors, body.operators, body.inputs, body.outputs, body.name = [], [], [], [], "body"
        m.model.subgraphs.append(body)
    with pytest.raises(TinygenError, match=message) as refusal:
        compile_model(_path(tmp_path, m.finish([x], [y]), kind))
    if kind == "while":
        assert "unroll=True" in refusal.value.fix


def test_float_tf_variable(tmp_path):
    """A tf.Variable assigned in a tf.function: the converter keeps it float32 (READ_VARIABLE → QUANTIZE,
    DEQUANTIZE → ASSIGN_VARIABLE), initialised to a nonzero constant by CALL_ONCE."""
    tf = pytest.importorskip("tensorflow")

    class Accumulate(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable(np.array([[0.5, -0.25, 1.0, 0.0, 0.75, -1.0]], np.float32))

        @tf.function(input_signature=[tf.TensorSpec([1, 6], tf.float32)])
        def __call__(self, x):
            y = x * 0.5 + self.v
            self.v.assign(y)
            return y

    module = Accumulate()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([module.__call__.get_concrete_function()], module)
    rng = np.random.default_rng(3)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([rng.normal(size=(1, 6)).astype(np.float32)] for _ in range(16))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = converter.inference_output_type = tf.int8
    tflite = converter.convert()
    path = _path(tmp_path, tflite, "tf_variable")
    kinds = {layer.op.kind for layer in compile_model(path).layers}
    assert {"READ_VARIABLE", "ASSIGN_VARIABLE", "QUANTIZE", "DEQUANTIZE"} <= kinds
    for sequence in (True, False):
        assert_exact(path, 3, sequence)
