"""bool model inputs and outputs (a comparison's result, a condition): one byte each (0 or 1) in the C API, random
and loaded inputs, the emulator's and oracle's I/O, on a model that negates a bool tensor."""
import numpy as np
import pytest

from tinygen.errors import TinygenError


def _not_model(tmp_path):
    from tests.support.schema_model import SchemaModel

    m = SchemaModel("bnot")
    x, y = m.tensor([2, 3, 4], "bool"), m.tensor([2, 3, 4], "bool")
    m.op("LOGICAL_NOT", [x], [y])
    path = tmp_path / "bnot.tflite"
    path.write_bytes(m.finish([x], [y]))
    return path


def test_header_declares_bytes(tmp_path):
    from tinygen.codegen import render_model
    from tinygen.compiler import compile_model

    header = render_model(compile_model(_not_model(tmp_path), name="bnot"))["bnot.h"]
    assert "typedef uint8_t bnot_input_t;" in header and "typedef uint8_t bnot_output_t;" in header
    assert "int bnot_invoke(const uint8_t *input, uint8_t *output);" in header
    assert "/* Output: bool [2, 3, 4] */" in header


def test_random_inputs_are_both_values(tmp_path):
    from tinygen.compiler import compile_model
    from tinygen.emulation import random_inputs

    x = random_inputs(compile_model(_not_model(tmp_path)).input, 16, seed=0)
    assert x.dtype == np.bool_ and 0 < x.mean() < 1


def test_values_round_trip(tmp_path):
    from tinygen.emulation import emulate

    inputs = np.resize([True, False, False], (3, 2, 3, 4))
    result = emulate(_not_model(tmp_path), inputs=inputs)
    assert result.outputs.dtype == np.bool_ and np.array_equal(result.outputs, result.expected)
    assert np.array_equal(result.outputs, ~inputs)


def test_loaded_inputs_convert_to_bool_or_are_refused(tmp_path):
    from tinygen.compiler import compile_model
    from tinygen.emulation import load_inputs

    x = compile_model(_not_model(tmp_path)).input
    zeros_and_ones = tmp_path / "01.npy"
    np.save(zeros_and_ones, np.resize(np.array([0, 1], np.int64), (2, 2, 3, 4)))
    assert load_inputs(zeros_and_ones, x).dtype == np.bool_
    two = tmp_path / "two.npy"
    np.save(two, np.full((2, 3, 4), 2, np.int8))
    with pytest.raises(TinygenError, match=r"holds int8 values; the model's input is bool"):
        load_inputs(two, x)
