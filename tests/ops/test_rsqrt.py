"""RSQRT (int8, int16): every input value at or above the zero point (TFLM's Invoke fails below it) under
converted and edge quantizations, bit-exact with TFLM; what the generated code returns below the zero point."""
import functools

import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, int16_tflite, op_kinds
from tests.support.schema_model import SchemaModel
from tinygen.compiler import compile_model
from tinygen.emulation import run_host
from tinygen.errors import TinygenError


def _rsqrt_model(dtype: str, x_quant, y_quant, size: int) -> bytes:
    m = SchemaModel()
    x = m.tensor([1, size], dtype=dtype, scale=x_quant[0], zero_point=x_quant[1])
    y = m.tensor([1, size], dtype=dtype, scale=y_quant[0], zero_point=y_quant[1])
    m.op("RSQRT", [x], [y])
    return m.finish([x], [y])




def _every_int8_from(zero_point: int, size: int = 256) -> np.ndarray:
    """Every int8 value from the zero point up, tiled over two samples (forwards and backwards)."""
    values = np.arange(zero_point, 128, dtype=np.int8)
    return np.stack([np.resize(values, size), np.resize(values[::-1], size)]).reshape(2, 1, size)


@functools.lru_cache(maxsize=None)
def _converted(seed: int, activations: str = "int8") -> bytes:
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec((1, 4, 32), tf.float32)])
    def f(x):
        # a positive operand: |x| (int8), x² (int16: tinygen's ABS is int8 only)
        return tf.math.rsqrt((tf.abs(x) if activations == "int8" else x * x) + 0.25)

    return (int8_tflite if activations == "int8" else int16_tflite)(f, (4, 32), seed=seed)


@pytest.mark.parametrize("seed", [0, 1])
def test_converted(tmp_path, seed):
    tflite = _converted(seed)
    assert op_kinds(tflite, tmp_path)[-1] == "RSQRT"
    assert_bit_exact(tflite, tmp_path, count=8, seed=seed)


def test_converted_int16(tmp_path):
    tflite = _converted(2, "int16")
    assert op_kinds(tflite, tmp_path)[-1] == "RSQRT"
    assert_bit_exact(tflite, tmp_path, count=8)


# input (scale, zero point), output (scale, zero point): converter-like, scales far apart both ways, zero points
# at the ends of the range (the input's top one leaves a single valid value, 127)
EDGES = [((0.05, -128), (0.02, -128)), ((0.05, -100), (0.3, 20)), ((8.0, -128), (1e-4, -128)),
         ((1e-5, -128), (50.0, -128)), ((0.02, 127), (0.01, -20)), ((0.1, 0), (0.1, 127)),
         ((0.001, -128), (0.001, -128)), ((3e-7, 5), (2e4, -50))]


@pytest.mark.parametrize("x_quant,y_quant", EDGES)
def test_every_int8_input(tmp_path, x_quant, y_quant):
    assert_bit_exact(_rsqrt_model("int8", x_quant, y_quant, 256), tmp_path, inputs=_every_int8_from(x_quant[1]))


@pytest.mark.parametrize("x_scale,y_scale", [(0.001, 0.0005), (1e-4, 0.3), (3.0, 1e-5)])
def test_every_int16_input(tmp_path, x_scale, y_scale):
    values = np.arange(0, 32768, dtype=np.int16).reshape(8, 1, 4096)
    assert_bit_exact(_rsqrt_model("int16", (x_scale, 0), (y_scale, 0), 4096), tmp_path, inputs=values)


@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
def test_target(tmp_path, target):
    assert_bit_exact(_converted(0), tmp_path, count=4, target=target)


def test_below_zero_point_gives_the_maximum(tmp_path):
    """TFLM fails there; the generated code returns the maximum, as for the zero point itself."""
    path = tmp_path / "model.tflite"
    path.write_bytes(_rsqrt_model("int8", (0.05, 10), (0.02, -128), 8))
    program = compile_model(path)
    out = run_host(program, np.array([[[-128, -1, 9, 10, 11, 12, 100, 127]]], np.int8))
    assert out.reshape(-1)[:4].tolist() == [127] * 4
    assert np.all(out.reshape(-1)[4:] < 127)


@pytest.mark.parametrize("dtypes,quant,message", [
    (("int16", "int16"), ((0.01, 3), (0.01, 0)), "int16 zero points 3 and 0"),
    (("int8", "int16"), ((0.01, 0), (0.01, 0)), "reads int8 and writes int16"),
    (("float32", "int8"), (None, (0.01, 0)), r"RSQRT \(operator 0\) mixes float32 with quantized int8 tensor"),
])
def test_refused(tmp_path, dtypes, quant, message):
    m = SchemaModel()
    x = m.tensor([1, 4], dtype=dtypes[0], **({} if quant[0] is None else dict(scale=quant[0][0],
                                                                             zero_point=quant[0][1])))
    y = m.tensor([1, 4], dtype=dtypes[1], **({} if quant[1] is None else dict(scale=quant[1][0],
                                                                             zero_point=quant[1][1])))
    m.op("RSQRT", [x], [y])
    path = tmp_path / "model.tflite"
    path.write_bytes(m.finish([x], [y]))
    with pytest.raises(TinygenError, match=message):
        compile_model(path)
