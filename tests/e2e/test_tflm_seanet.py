"""TFLM's seanet integration models (16x8 audio: int16 activations, int8 weights, int64 biases), one operator
each, from the checkout TINYGEN_TFLM_DIR names: bit-exact with TFLM. The ADD/SUB models have two inputs, the
TRANSPOSE_CONV ones their output shape as an int32 input (which TFLM does not read)."""
import numpy as np
import pytest

from tests.support.helpers import need_target, tflm_models

SEANET = ["seanet/conv", "seanet/leaky_relu", "seanet/pad", "seanet/quantize", "seanet/add", "seanet/sub",
          "seanet/strided_slice", "seanet/transpose_conv"]
TWO_INPUTS = ["seanet/add", "seanet/sub"]


@pytest.mark.parametrize("subdir", SEANET)
def test_seanet_models_on_the_host(subdir):
    from tinygen.emulation import emulate

    for path in tflm_models(subdir):
        result = emulate(path, count=2, seed=len(path.stem))
        assert result.outputs.dtype in (np.int16, np.int32)  # the quantize models convert int16 ↔ int32
        assert np.array_equal(result.outputs, result.expected), f"{path.name}: {result.summary()}"


@pytest.mark.parametrize("subdir", SEANET)
def test_seanet_model_on_cortex_m4(subdir):
    from tinygen.emulation import emulate

    need_target("cortex-m4")
    path = tflm_models(subdir)[0]
    result = emulate(path, count=1, target="cortex-m4")
    assert np.array_equal(result.outputs, result.expected), f"{path.name}: {result.summary()}"


@pytest.mark.parametrize("subdir", TWO_INPUTS)
def test_two_input_models_take_both_inputs(subdir):
    """Every ADD/SUB model of the directory (17 ADD) compiles with two named int16 inputs; feeding the second
    input changes the output (it is really read), and both emulator and TFLM agree on every sample."""
    from tinygen.compiler import compile_model
    from tinygen.emulation import emulate, random_input_set, run_host

    paths = tflm_models(subdir)
    if subdir == "seanet/add":
        assert len(paths) == 17
    program = compile_model(paths[0])
    assert [p.tensor.dtype for p in program.inputs] == ["int16", "int16"] and len(program.outputs) == 1
    a, b = random_input_set(program, 2, seed=3)
    assert not np.array_equal(a, b)  # each input draws its own samples
    assert not np.array_equal(run_host(program, [a, b]), run_host(program, [a, np.zeros_like(b)]))
    result = emulate(paths[0], inputs=[a, b])
    assert result.exact and np.array_equal(result.outputs, result.expected), result.summary()


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_memory_footprint_simple_add_model(target):
    """TFLM's memory_footprint example: an int8 ADD of two 128x128 inputs (its examples folder, beside the
    integration tests)."""
    from tinygen.emulation import emulate

    need_target(target)
    path = next(p for p in tflm_models("../examples/memory_footprint/models") if p.stem == "simple_add_model")
    result = emulate(path, count=2 if target == "host" else 1, target=target)
    assert result.outputs.dtype == np.int8 and result.outputs.shape[1:] == (1, 128, 128, 1)
    assert np.array_equal(result.outputs, result.expected), result.summary()
