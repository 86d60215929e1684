"""TRANSPOSE_CONV (int8 and 16x8): Keras Conv2DTranspose over kernel sizes, strides, SAME/VALID, activations, odd channel
counts and batches, and schema-built layers without bias, with per-tensor weights and with output sizes the
strides do not divide; bit-exact with TFLM."""
import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, op_kinds
from tests.support.schema_model import SchemaModel

from tinygen.compiler import compile_model
from tinygen.errors import TinygenError
from tinygen.ops.conv2d import add_conv


@pytest.mark.parametrize("shape,filters,kernel,strides,padding,activation", [
    ((3, 4, 5), 4, 3, 2, "same", None),
    ((3, 4, 5), 3, 3, 2, "valid", "relu"),
    ((4, 4, 2), 5, 2, 2, "same", None),
    ((5, 3, 3), 7, (3, 2), (1, 2), "valid", None),
    ((2, 2, 8), 6, 4, 3, "same", "relu"),
    ((6, 5, 1), 1, 1, 1, "valid", None),
])
def test_conv2d_transpose(tmp_path, shape, filters, kernel, strides, padding, activation):
    import tensorflow as tf

    layer = tf.keras.layers.Conv2DTranspose(filters, kernel, strides=strides, padding=padding, activation=activation)
    seed = filters + sum(shape)
    tflite = int8_tflite(keras_model([layer], shape, seed=seed), shape, seed=seed)
    assert "TRANSPOSE_CONV" in op_kinds(tflite, tmp_path)
    assert_bit_exact(tflite, tmp_path, count=6)


@pytest.mark.parametrize("shape,filters,kernel,strides,padding,activation", [
    ((3, 4, 5), 4, 3, 2, "same", None),
    ((5, 3, 3), 7, (3, 2), (1, 2), "valid", "relu"),
])
def test_conv2d_transpose_16x8(tmp_path, shape, filters, kernel, strides, padding, activation):
    """16x8: int16 activations, int8 weights, the converter's int64 bias."""
    import tensorflow as tf

    layer = tf.keras.layers.Conv2DTranspose(filters, kernel, strides=strides, padding=padding, activation=activation)
    seed = filters + sum(shape) + 1
    tflite = int8_tflite(keras_model([layer], shape, seed=seed), shape, seed=seed, activations="int16")
    assert "TRANSPOSE_CONV" in op_kinds(tflite, tmp_path)
    result = assert_bit_exact(tflite, tmp_path, count=6)
    assert result.outputs.dtype.name == "int16"


def _schema_16x8(bias_type: str | None, seed: int = 4, shape_input: bool = False) -> bytes:
    """A 16x8 TRANSPOSE_CONV built from the schema with a bias of `bias_type` (None: no bias); `shape_input`:
    its output shape a model input (as TFLM's seanet models have it) instead of a constant."""
    rng = np.random.default_rng(seed)
    m = SchemaModel("transpose_conv_16x8")
    x = m.tensor([1, 3, 3, 4], "int16", scale=0.001)
    out = m.tensor([4], "int32", data=None if shape_input else np.array([1, 6, 6, 5], np.int32))
    scales = rng.uniform(0.002, 0.02, size=5)
    w = m.tensor([5, 3, 3, 4], data=rng.integers(-127, 128, [5, 3, 3, 4]).astype(np.int8), scale=scales,
                 zero_point=[0] * 5)
    inputs = [out, w, x]
    if bias_type:
        inputs.append(m.tensor([5], bias_type, data=rng.integers(-3000, 3000, 5).astype(bias_type),
                               scale=0.001 * scales, zero_point=[0] * 5))
    y = m.tensor([1, 6, 6, 5], "int16", scale=0.002)
    m.op("TRANSPOSE_CONV", inputs, [y], padding=0, stride_w=2, stride_h=2)
    return m.finish([out, x] if shape_input else [x], [y])


def test_output_shape_as_model_input(tmp_path):
    """TFLM never reads TRANSPOSE_CONV's output-shape tensor (it takes the output's static shape): where that
    tensor is an int32 model input, the model compiles, the C API takes the input and ignores it, and any values
    in it give TFLM's outputs."""
    from tinygen.emulation import emulate, random_input_set, run_host

    path = tmp_path / "shape_input.tflite"
    path.write_bytes(_schema_16x8("int64", shape_input=True))
    program = compile_model(path)
    assert [p.tensor.dtype for p in program.inputs] == ["int32", "int16"]
    shapes, x = random_input_set(program, 4, seed=2)
    assert np.array_equal(run_host(program, [shapes, x]), run_host(program, [np.zeros_like(shapes), x]))
    result = emulate(path, inputs=[shapes, x])
    assert np.array_equal(result.outputs, result.expected), result.summary()


@pytest.mark.parametrize("bias_type", ["int64", "int16", None])
def test_16x8_bias_types(tmp_path, bias_type):
    """TFLM widens an int16 bias to int64; no bias sums without one."""
    assert_bit_exact(_schema_16x8(bias_type), tmp_path, count=6)


def test_16x8_int32_bias_is_refused(tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(_schema_16x8("int32"))
    with pytest.raises(TinygenError, match=r"bias must be 5 constant int64 or int16 values \(it is 5 int32\)"):
        compile_model(path)


def _schema(x_shape, w_shape, y_shape, seed, per_tensor=False, **options) -> bytes:
    rng = np.random.default_rng(seed)
    m = SchemaModel("transpose_conv")
    x = m.tensor(x_shape, scale=0.05, zero_point=int(rng.integers(-20, 20)))
    out = m.tensor([4], "int32", data=np.array(y_shape, np.int32))
    if per_tensor:  # one weight scale, one bias scale
        w = m.tensor(w_shape, data=rng.integers(-127, 128, w_shape).astype(np.int8), scale=0.01)
        b = m.tensor([w_shape[0]], "int32", data=rng.integers(-3000, 3000, w_shape[0]).astype(np.int32),
                     scale=0.05 * 0.01)
        y = m.tensor(y_shape, scale=0.07, zero_point=4)
        m.op("TRANSPOSE_CONV", [out, w, x, b], [y], **dict(dict(padding=0, stride_w=1, stride_h=1), **options))
    else:
        y = add_conv(m, rng, "TRANSPOSE_CONV", x, w_shape, y_shape, 0, shape_input=out,
                     bias=options.pop("bias", True), **options)
    return m.finish([x], [y])


@pytest.mark.parametrize("x_shape,w_shape,y_shape,options", [
    ([1, 3, 3, 4], [5, 3, 3, 4], [1, 7, 7, 5], dict(padding=1, stride_w=2, stride_h=2, bias=False)),  # VALID
    ([2, 3, 4, 3], [2, 3, 3, 3], [2, 5, 7, 2], dict(padding=0, stride_w=2, stride_h=2)),  # odd outputs, batch 2
    ([1, 4, 4, 2], [3, 5, 5, 2], [1, 8, 8, 3], dict(padding=0, stride_w=2, stride_h=2, fused_activation_function=3)),
    ([1, 2, 5, 3], [4, 2, 3, 3], [1, 6, 5, 4], dict(padding=0, stride_w=1, stride_h=3)),
])
def test_schema_layers(tmp_path, x_shape, w_shape, y_shape, options):
    assert_bit_exact(_schema(x_shape, w_shape, y_shape, seed=sum(y_shape), **options), tmp_path, count=6)


def test_per_tensor_weights(tmp_path):
    tflite = _schema([1, 3, 3, 4], [5, 3, 3, 4], [1, 6, 6, 5], seed=3, per_tensor=True, stride_w=2, stride_h=2)
    assert_bit_exact(tflite, tmp_path, count=6)


def test_filter_that_does_not_match_is_refused(tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(_schema([1, 3, 3, 4], [5, 3, 3, 2], [1, 6, 6, 5], seed=1, stride_w=2, stride_h=2))
    with pytest.raises(TinygenError, match=r"TRANSPOSE_CONV \(operator 0\) has a filter \[5, 3, 3, 2\]"):
        compile_model(path)


@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
def test_16x8_cross(tmp_path, target):
    """The int64 accumulator and rounding cross-built: the same bytes under QEMU."""
    assert_bit_exact(_schema_16x8("int64", seed=9), tmp_path, count=2, target=target)
