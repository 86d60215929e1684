"""int16 model inputs and outputs (TFLite's 16x8 quantization): the C API's types, random and loaded inputs,
the emulator's and oracle's I/O, on a model that only moves int16 values (a RESHAPE copy)."""
import numpy as np
import pytest

from tests.support.helpers import need_target


def _int16_reshape(tmp_path):
    from tests.support.schema_model import SchemaModel

    m = SchemaModel("r16")
    x = m.tensor([1, 2, 3, 4], "int16", scale=0.05)
    shape = m.tensor([2], "int32", data=np.array([1, 24], np.int32))
    y = m.tensor([1, 24], "int16", scale=0.05)
    m.op("RESHAPE", [x, shape], [y], new_shape=[1, 24])
    path = tmp_path / "r16.tflite"
    path.write_bytes(m.finish([x], [y]))
    return path


def test_header_declares_int16(tmp_path):
    from tinygen.codegen import render_model
    from tinygen.compiler import compile_model

    header = render_model(compile_model(_int16_reshape(tmp_path), name="r16"))["r16.h"]
    assert "typedef int16_t r16_input_t;" in header and "typedef int16_t r16_output_t;" in header
    assert "int r16_invoke(const int16_t *input, int16_t *output);" in header


def test_random_inputs_span_int16(tmp_path):
    from tinygen.compiler import compile_model
    from tinygen.emulation import random_inputs

    x = random_inputs(compile_model(_int16_reshape(tmp_path)).input, 64, seed=0)
    assert x.dtype == np.int16 and x.min() < -128 * 64 and x.max() > 127 * 64


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_int16_values_round_trip(tmp_path, target):
    from tinygen.emulation import emulate

    need_target(target)
    edges = np.array([-32768, -32767, -129, -128, -1, 0, 1, 127, 128, 255, 256, 32767], np.int16)
    inputs = np.resize(edges, (2, 24)).reshape(2, 1, 2, 3, 4)
    result = emulate(_int16_reshape(tmp_path), inputs=inputs, target=target)
    assert result.outputs.dtype == np.int16
    assert np.array_equal(result.outputs, result.expected)
    assert np.array_equal(result.outputs.reshape(-1), inputs.reshape(-1))


def test_loaded_inputs_convert_to_int16_or_are_refused(tmp_path):
    from tinygen.compiler import compile_model
    from tinygen.emulation import load_inputs
    from tinygen.errors import TinygenError

    x = compile_model(_int16_reshape(tmp_path)).input
    fits = tmp_path / "fits.npy"
    np.save(fits, np.full((3, 1, 2, 3, 4), -32768, np.int32))
    assert load_inputs(fits, x).dtype == np.int16
    beyond = tmp_path / "beyond.npy"
    np.save(beyond, np.full((3, 1, 2, 3, 4), 40000, np.int32))
    with pytest.raises(TinygenError, match="the model's input is int16"):
        load_inputs(beyond, x)
