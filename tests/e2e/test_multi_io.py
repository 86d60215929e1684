"""Models with several inputs and outputs (Keras functional models, TF's int8 converter): the C API names each
tensor after the model's signature (Keras's input names; Keras 3 names the outputs output_0, output_1...), and every output is bit-exact with TFLM on the host and under QEMU."""
import numpy as np
import pytest

from tests.support.helpers import int8_tflite, need_target

SHAPES = {"sensor_a": (8, 8, 3), "sensor_b": (5,), "sensor_c": (4, 4, 3)}


@pytest.fixture(scope="module")
def three_inputs(tmp_path_factory):
    """sensor_a → conv → pool, joined with sensor_c: output `features`, which a dense layer also reads (an
    output consumed inside the graph); `score` adds sensor_b's dense projection (an input of another shape)."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(1)
    a, b, c = (tf.keras.Input(shape=s, batch_size=1, name=n) for n, s in SHAPES.items())
    pooled = tf.keras.layers.MaxPool2D(2)(tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu")(a))
    features = tf.keras.layers.Concatenate(name="features")([pooled, c])
    score = tf.keras.layers.Add(name="score")([tf.keras.layers.Dense(6)(tf.keras.layers.Flatten()(features)),
                                               tf.keras.layers.Dense(6)(b)])
    model = tf.keras.Model([a, b, c], [features, score])
    path = tmp_path_factory.mktemp("multi") / "three_inputs.tflite"
    path.write_bytes(int8_tflite(model, SHAPES, seed=2))
    return path


def test_the_api_names_every_input_and_output(three_inputs):
    from tinygen.codegen import render_model
    from tinygen.compiler import compile_model

    program = compile_model(three_inputs)
    assert sorted(p.name for p in program.inputs) == sorted(SHAPES)
    assert sorted(p.name for p in program.outputs) == ["output_0", "output_1"]
    header = render_model(program)["three_inputs.h"]
    for p in program.inputs + program.outputs:
        size = int(np.prod(p.tensor.shape))
        assert f"#define THREE_INPUTS_{p.name.upper()}_SIZE {size}\n" in header
        assert f"#define THREE_INPUTS_{p.name.upper()}_ZERO_POINT {p.tensor.zero_point}\n" in header
    parameters = ", ".join([f"const int8_t *{p.name}" for p in program.inputs] +
                           [f"int8_t *{p.name}" for p in program.outputs])
    assert f"int three_inputs_invoke({parameters});" in header
    assert "#define THREE_INPUTS_INPUT_COUNT 3\n" in header and "THREE_INPUTS_INPUT_SIZE" not in header
    # output_0 is written into the caller's buffer and read back from there by the layers after it
    features = program.outputs[[p.key for p in program.outputs].index("output_0")].tensor.index
    assert any(features in layer.inputs for layer in program.layers)


def test_an_input_passed_through_is_copied_to_its_output(tmp_path):
    """An output that is a model input: invoke copies the caller's input into the output buffer."""
    import tensorflow as tf

    from tinygen.codegen import render_model
    from tinygen.compiler import compile_model
    from tinygen.emulation import emulate

    tf.keras.utils.set_random_seed(3)
    a, b = tf.keras.Input(shape=(6,), batch_size=1, name="a"), tf.keras.Input(shape=(4,), batch_size=1, name="b")
    model = tf.keras.Model([a, b], [tf.keras.layers.Dense(3)(a), b])
    path = tmp_path / "passthrough.tflite"
    path.write_bytes(int8_tflite(model, {"a": (6,), "b": (4,)}, seed=4))
    program = compile_model(path)
    source = render_model(program)["passthrough.c"]
    assert source.count("memcpy(") == 1 and "an output no layer writes" in source, source
    result = emulate(path, count=4)
    assert result.exact and len(result.outputs) == 2, result.summary()


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_every_output_is_bit_exact(three_inputs, target):
    from tinygen.emulation import emulate

    need_target(target)
    result = emulate(three_inputs, count=3 if target == "host" else 1, target=target)
    assert set(result.outputs) == set(result.per_output) == {"output_0", "output_1"}
    for key in result.outputs:
        assert np.array_equal(result.outputs[key], result.expected[key]), result.summary()
    assert result.exact and "output output_1: bit-exact" in result.summary()


def test_emulate_reads_and_writes_npz_keyed_by_name(three_inputs, tmp_path):
    from click.testing import CliRunner

    from tinygen.cli import main
    from tinygen.compiler import compile_model
    from tinygen.emulation import random_input_set

    program = compile_model(three_inputs)
    samples = dict(zip([p.key for p in program.inputs], random_input_set(program, 2, seed=5)))
    np.savez(tmp_path / "in.npz", **samples)
    result = CliRunner().invoke(main, ["emulate", str(three_inputs), "--input", str(tmp_path / "in.npz"),
                                       "--output", str(tmp_path / "out.npz")])
    assert result.exit_code == 0 and "bit-exact: 2 inputs" in result.output, result.output
    with np.load(tmp_path / "out.npz") as out:
        assert sorted(out.files) == ["output_0", "output_1"] and out["output_1"].shape == (2, 1, 6)
    np.savez(tmp_path / "short.npz", sensor_a=samples["sensor_a"])
    result = CliRunner().invoke(main, ["emulate", str(three_inputs), "--input", str(tmp_path / "short.npz")])
    assert result.exit_code == 2 and "has no array for input 'sensor_b'" in result.output, result.output


def test_platformio_demo_checks_every_output(three_inputs, tmp_path):
    """The ESP32 project's main.c built for the host: a sample of each input embedded, PASS per output."""
    import subprocess

    from tinygen.boards import get_board
    from tinygen.emulator.host import WARNINGS
    from tinygen.project import generate

    project = generate(three_inputs, get_board("esp32dev"))
    for rel, data in project.files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    main_c = project.files["src/main.c"].decode()
    assert all(f"sample_{name}[" in main_c for name in SHAPES)
    lib = f"lib/{project.program.name}"
    sources = ["src/main.c"] + sorted(r for r in project.files if r.startswith(lib) and r.endswith(".c"))
    subprocess.run(["cc", *WARNINGS, f"-I{lib}", *sources, "-o", "demo", "-lm"], cwd=tmp_path, check=True)
    run = subprocess.run(["./demo"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "output output_0 (1x4x4x7): PASS" in run.stdout and "output output_1 (1x6): PASS" in run.stdout
    checksum = next(line for line in run.stdout.splitlines() if line.startswith("checksum:")).split()
    assert checksum[1] == checksum[3].rstrip(")")


def test_parameter_names_are_distinct_c_identifiers():
    from tinygen.compiler import parameter_names

    names = parameter_names(["serving_default_input_1:0", "serving_default_input_1:0", "arena", "9lives",
                             "model/block_3/conv/BiasAdd;model/block_3/conv/Conv2D", "", "x" * 80, "int"])
    assert names == ["input_1", "input_1_2", "arena_", "t_9lives", "conv_biasadd", "tensor", "x" * 31, "int_"]


def test_one_input_one_output_keeps_its_api(tmp_path):
    """A model with one input and one output: invoke(input, output) and the <NAME>_INPUT_... macros, as ever."""
    from tests.support.schema_model import fc_model
    from tinygen.codegen import render_model
    from tinygen.compiler import compile_model

    (tmp_path / "fc.tflite").write_bytes(fc_model(1))
    header = render_model(compile_model(tmp_path / "fc.tflite"))["fc.h"]
    assert "int fc_invoke(const int8_t *input, int8_t *output);" in header
    assert "#define FC_INPUT_SIZE " in header and "typedef int8_t fc_output_t;" in header
    assert "INPUT_COUNT" not in header
