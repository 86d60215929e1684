"""Shared test helpers: build tiny int8 models with TensorFlow and check tinygen against the TFLM oracle."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parents[2]
MLPERF_DIR = REPO.parent / "shared" / "models" / "mlperf_tiny"
MLPERF_MODELS = ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "str_ww_ref_model", "vww_96_int8"]


def in_ci() -> bool:
    """Whether the tests run in CI: the CI environment variable is set (CI runs with CI=true; an empty value,
    0, false or no count as unset)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def need_target(target: str) -> None:
    """Skip (naming the Debian packages) when the cross compiler or QEMU of an emulation target is missing;
    .ci/run installs them all, so CI runs every target. "host" needs nothing."""
    import shutil

    import pytest

    from tinygen.emulator import qemu

    if target == "host":
        return
    t = qemu.TARGETS[target]
    missing = [tool for tool in (t.compiler, t.emulator[0]) if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian: apt-get install {t.packages})")


def mlperf_model(name: str) -> Path:
    """The path of an MLPerf Tiny model. When this checkout has no ../shared/models the test is skipped locally,
    and fails in CI (see in_ci), where the models must be present."""
    import pytest

    path = MLPERF_DIR / f"{name}.tflite"
    if not path.exists():
        reason = f"{path} missing: the MLPerf Tiny models live in ../shared/models/mlperf_tiny"
        if in_ci():
            pytest.fail(f"{reason} (CI is set, so a missing model fails the test instead of skipping it)",
                        pytrace=False)
        pytest.skip(reason)
    return path


TFLM_DIR_VARIABLE = "TINYGEN_TFLM_DIR"  # a TFLM source checkout: its integration tests' models


def tflm_models(subdir: str) -> list[Path]:
    """The .tflite models of TFLM's integration tests under tensorflow/lite/micro/integration_tests/<subdir>
    (e.g. "seanet/conv") of the checkout TINYGEN_TFLM_DIR names, sorted; skips the test when the variable is
    unset or the directory holds none (fails in CI, where the checkout must be present)."""
    import pytest

    root = os.environ.get(TFLM_DIR_VARIABLE, "")
    if not root:
        pytest.skip(f"{TFLM_DIR_VARIABLE} is not set (a TFLM checkout with its integration test models)")
    folder = Path(root) / "tensorflow" / "lite" / "micro" / "integration_tests" / subdir
    paths = sorted(folder.glob("*.tflite"), key=lambda p: (len(p.stem), p.stem))
    if not paths:
        reason = f"no .tflite models in {folder}"
        if in_ci():
            pytest.fail(f"{reason} ({TFLM_DIR_VARIABLE} is set in CI)", pytrace=False)
        pytest.skip(reason)
    return paths


def int8_tflite(model, input_shapes, seed: int = 0, calibration_scale: float | None = None,
                io_dtype: str = "int8", per_channel: bool = True, activations: str = "int8") -> bytes:
    """Full-integer int8 conversion of a Keras model (or tf.function), calibrated on random data; with
    activations="int16", TFLite's 16x8 quantization (int16 activations, int8 weights, int64 biases) and int16
    I/O unless io_dtype is "float32" (or "uint8": uint8 I/O requantized to int8 inside).

    Each call draws a random input range (unless calibration_scale is given) so tests cover random input
    and output quantization.
    """
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    scale = calibration_scale if calibration_scale is not None else float(rng.uniform(0.5, 4.0))
    shift = float(rng.uniform(-0.5, 0.5)) * scale
    shapes = input_shapes if isinstance(input_shapes, (list, dict)) else [input_shapes]

    def sample(shape):
        return (rng.standard_normal((1, *shape)) * scale + shift).astype(np.float32)

    def representative():
        for _ in range(16):
            if isinstance(shapes, dict):  # {input name: shape}: the converter orders several inputs its own way
                yield {name: sample(s) for name, s in shapes.items()}
            else:
                yield [sample(s) for s in shapes]

    if isinstance(model, tf.keras.Model):
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
    else:
        converter = tf.lite.TFLiteConverter.from_concrete_functions([model.get_concrete_function()], model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8 if activations == "int8" else
                                           tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
    if io_dtype not in ("float", "float32"):  # float I/O: the converter's QUANTIZE/DEQUANTIZE at the edges
        # uint8 I/O (TF1-style): the converter requantizes uint8 to and from int8 at the edges
        io = tf.uint8 if io_dtype == "uint8" else getattr(tf, activations)
        converter.inference_input_type = converter.inference_output_type = io
    if not per_channel:
        converter._experimental_disable_per_channel = True
    return converter.convert()


def float_tflite(model) -> bytes:
    """A Keras model (or tf.function) converted to a float32 .tflite, as TensorFlow's converter does by default."""
    import tensorflow as tf

    if isinstance(model, tf.keras.Model):
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
    else:
        converter = tf.lite.TFLiteConverter.from_concrete_functions([model.get_concrete_function()], model)
    return converter.convert()


def assert_float_function_exact(function, input_shapes, tmp_path: Path, kinds=(), target: str = "host",
                                count: int = 10, seed: int = 0):
    """A float32 tf.function of inputs of `input_shapes`, converted by TensorFlow: its operators include `kinds`
    and the generated C's outputs equal TFLM's bit for bit over random standard-normal inputs."""
    import tensorflow as tf

    specs = [tf.TensorSpec(shape, tf.float32) for shape in input_shapes]
    tflite = float_tflite(tf.function(function, input_signature=specs))
    assert set(kinds) <= set(op_kinds(tflite, tmp_path)), op_kinds(tflite, tmp_path)
    return assert_bit_exact(tflite, tmp_path, count=count, seed=seed, target=target)


def int16_tflite(model, input_shapes, seed: int = 0, **options) -> bytes:
    """16x8 conversion (int8_tflite with activations="int16")."""
    return int8_tflite(model, input_shapes, seed, activations="int16", **options)


def keras_model(layers, input_shape, seed: int = 0):
    """A functional Keras model from a list of layers (or a callable taking the input tensor)."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(seed)
    x = tf.keras.Input(shape=input_shape, batch_size=1)
    y = layers(x) if callable(layers) else x
    if not callable(layers):
        for layer in layers:
            y = layer(y)
    model = tf.keras.Model(x, y)
    # Random biases too, so the bias path is exercised (Keras initialises them to zero).
    rng = np.random.default_rng(seed)
    for w in model.weights:
        if "bias" in w.path or "beta" in w.path:
            w.assign(rng.standard_normal(w.shape).astype(np.float32) * 0.3)
    return model


def assert_bit_exact(tflite: bytes, tmp_path: Path, count: int = 8, seed: int = 0, name: str = "model",
                     target: str = "host", inputs=None):
    """Generated C on the host (or an emulation target) vs TFLM's reference kernels over random inputs (or
    `inputs`): every byte equal (the portable kernels, whatever the target's default backend: the operator tests
    are theirs). Returns the comparison."""
    from tinygen.emulation import emulate

    need_target(target)
    path = Path(tmp_path) / f"{name}.tflite"
    path.write_bytes(tflite)
    result = emulate(path, inputs=inputs, count=count, seed=seed, target=target, backend="portable")
    assert np.array_equal(result.outputs, result.expected), result.summary()
    return result


def with_int32_bias(tflite: bytes) -> bytes:
    """A 16x8 model with its int64 biases narrowed to int32 (TFLM's other int16 path: an int32 accumulator), and
    quantized_bias_type INT32 on operators without one."""
    from ai_edge_litert import schema_py_generated as schema

    def edit(model):
        g = model.subgraphs[0]
        for op in g.operators:
            if len(op.inputs) > 2 and op.inputs[2] >= 0 and g.tensors[op.inputs[2]].type == schema.TensorType.INT64:
                t = g.tensors[op.inputs[2]]
                values = np.frombuffer(bytes(bytearray(model.buffers[t.buffer].data)), np.int64)
                assert np.all(np.abs(values) < 2**31), "bias beyond int32"
                model.buffers[t.buffer].data = np.frombuffer(values.astype(np.int32).tobytes(), np.uint8)
                t.type = schema.TensorType.INT32
            elif hasattr(op.builtinOptions, "quantizedBiasType"):
                op.builtinOptions.quantizedBiasType = schema.TensorType.INT32
    return edit_tflite(tflite, edit)


def assert_every_input_exact(tflite: bytes, tmp_path, size: int) -> None:
    """All int8 values (tiled over the input) plus random samples: TFLM and tinygen's portable kernels agree on
    every byte."""
    from tinygen.emulation import emulate

    path = tmp_path / "model.tflite"
    path.write_bytes(tflite)
    values = np.arange(-128, 128, dtype=np.int8)
    rows = -(-256 // size)
    every = np.concatenate([np.resize(values, (rows, size)), np.resize(values[::-1], (rows, size))])
    rng = np.random.default_rng(size)
    inputs = np.concatenate([every, rng.integers(-128, 128, (4, size), dtype=np.int8)]).reshape(-1, 1, size)
    result = emulate(path, inputs=inputs, backend="portable")
    assert np.array_equal(result.outputs, result.expected), result.summary()


def edit_tflite(tflite: bytes, edit) -> bytes:
    """The model after `edit(model)` changed its object tree (ai_edge_litert's schema ModelT) in place: for
    models the converter will not write, e.g. unusual options or quantization."""
    from ai_edge_litert import schema_py_generated as schema

    from tests.support.schema_model import pack

    model = schema.ModelT.InitFromPackedBuf(tflite, 0)
    edit(model)
    return pack(model)


def op_kinds(tflite: bytes, tmp_path: Path) -> list[str]:
    """The operators of a converted model, in order (to check the converter kept the operator under test)."""
    from tinygen.frontend.tflite import read_tflite

    path = Path(tmp_path) / "kinds.tflite"
    path.write_bytes(tflite)
    return [op.kind for op in read_tflite(path).ops]


def with_quantization(tflite: bytes, changes: dict[int, tuple[float, int]]) -> bytes:
    """The model with tensor index → (scale, zero point) replaced: reaches quantizations the converter never
    picks (edge cases of the fixed-point parameters)."""
    def edit(model):
        for index, (scale, zero_point) in changes.items():
            q = model.subgraphs[0].tensors[index].quantization
            q.scale, q.zeroPoint = [scale], [zero_point]
    return edit_tflite(tflite, edit)


def with_option(tflite: bytes, field: str, value) -> bytes:
    """The model with builtin option `field` (the schema's name, e.g. "beta") set to `value` in every operator
    that has it: options the converter would not write."""
    def edit(model):
        for op in model.subgraphs[0].operators:
            if hasattr(op.builtinOptions, field):
                setattr(op.builtinOptions, field, value)
    return edit_tflite(tflite, edit)


def with_activation(tflite: bytes, code: int) -> bytes:
    """Every operator's fused activation set to `code` (1 RELU, 2 RELU_N1_TO_1, 3 RELU6). The converter only
    fuses an activation into an output calibrated to it, where the clamp never bites; this exercises it."""
    return with_option(tflite, "fusedActivationFunction", code)


def random_constant(shape, seed: int) -> np.ndarray:
    """A float32 constant operand for a graph, reproducible from `seed`."""
    return (np.random.default_rng(seed).standard_normal(shape) * 2).astype(np.float32)


def assert_graph_bit_exact(build, input_shape, seed: int, tmp_path: Path, activation: int | None = None,
                           activations: str = "int8"):
    """keras_model(build, input_shape) converted to int8 (or 16x8: activations="int16") and checked bit-exact on
    6 random inputs. With `activation`, the model is calibrated wide (scale 8) and then given that fused
    activation, so it clamps. Returns the comparison."""
    model = keras_model(build, input_shape, seed=seed)
    if activation is None:
        tflite = int8_tflite(model, input_shape, seed=seed, activations=activations)
    else:
        tflite = with_activation(int8_tflite(model, input_shape, seed=seed, calibration_scale=8.0,
                                             activations=activations), activation)
    return assert_bit_exact(tflite, tmp_path, count=6)


def without_bias(tflite: bytes, marker: bool = True) -> bytes:
    """The model with no bias on any operator (the converter always writes one): the input marked omitted (-1),
    or with marker=False left out entirely (TFLM's depthwise Prepare crashes on the -1 form)."""
    def edit(model):
        for op in model.subgraphs[0].operators:
            if len(op.inputs) == 3:
                op.inputs = [int(op.inputs[0]), int(op.inputs[1])] + ([-1] if marker else [])
    return edit_tflite(tflite, edit)


def assert_conv_refused(kind, x_shape, w_shape, y_shape, options, w_zero_point, message) -> None:
    """A hand-built CONV_2D or DEPTHWISE_CONV_2D graph (x, constant w and bias, y) that the lowering refuses
    with a TinygenError matching `message`."""
    import pytest

    from tinygen.errors import TinygenError
    from tinygen.ir import Graph, Op, Quant, Tensor
    from tinygen.ops import conv2d, depthwise_conv2d
    from tinygen.ops.common import LowerContext

    def q(scale, zp=0):
        return Quant(np.array([scale], np.float32), np.array([zp], np.int64))

    out_c = w_shape[0] if kind == "CONV_2D" else w_shape[3]
    tensors = [Tensor(0, "x", x_shape, "int8", q(0.5, 3)),
               Tensor(1, "w", w_shape, "int8", q(0.02, w_zero_point), np.ones(w_shape, np.int8)),
               Tensor(2, "b", (out_c,), "int32", q(0.01), np.zeros(out_c, np.int32)),
               Tensor(3, "y", y_shape, "int8", q(0.25, -2))]
    op = Op(kind, [0, 1, 2], [3], {"padding": 1, "stride_h": 1, "stride_w": 1, **options}, index=0)
    lower = conv2d.lower if kind == "CONV_2D" else depthwise_conv2d.lower
    with pytest.raises(TinygenError, match=message):
        lower(Graph("g", tensors, [op], [0], [3]), op, LowerContext())


def assert_sequence_exact(path: Path, seed: int, steps: int, target: str = "host",
                          backend: str | None = None) -> np.ndarray:
    """A stateful model fed one sequence of `steps` random inputs, the state carried on both sides (tinygen and
    TFLM): every byte equal; returns the outputs."""
    from tinygen.compiler import compile_model
    from tinygen.emulation import emulate, random_inputs

    inputs = random_inputs(compile_model(path).input, steps, seed)
    result = emulate(path, inputs=inputs, sequence=True, target=target, backend=backend)
    assert np.array_equal(result.outputs, result.expected), result.summary()
    return result.outputs


def assert_reset_between_samples(path: Path, seed: int) -> None:
    """Without --sequence each sample of a stateful model starts from the reset state: one input repeated gives
    the same output every time, where the carried state gives others (so the reset is what makes them equal)."""
    from tinygen.compiler import compile_model
    from tinygen.emulation import emulate, random_inputs

    repeated = np.repeat(random_inputs(compile_model(path).input, 1, seed), 4, axis=0)
    independent = emulate(path, inputs=repeated)
    assert np.array_equal(independent.outputs, independent.expected), independent.summary()
    assert all(np.array_equal(independent.outputs[0], out) for out in independent.outputs)
    carried = emulate(path, inputs=repeated, sequence=True)
    assert np.array_equal(carried.outputs, carried.expected), carried.summary()
    assert not all(np.array_equal(carried.outputs[0], out) for out in carried.outputs)
