"""TFLM's float32 example models (hello_world, and the sine model of its Python package) from the checkout
TINYGEN_TFLM_DIR names: float kernels bit-exact with TFLM's reference FullyConnected<float>, on the host and on
targets with (Cortex-M4F) and without (rv32imc: soft float) a floating-point unit."""
import numpy as np
import pytest

from tests.support.helpers import need_target, tflm_models

FLOAT_MODELS = [("../examples/hello_world/models", "hello_world_float"), ("../../../../python/tflite_micro",
                                                                          "sine_float")]


@pytest.mark.parametrize("folder,stem", FLOAT_MODELS)
@pytest.mark.parametrize("target", ["host", "cortex-m4", "rv32imc"])
def test_float_example_models(folder, stem, target):
    from tinygen.emulation import emulate

    need_target(target)
    path = next(p for p in tflm_models(folder) if p.stem == stem)
    result = emulate(path, count=100 if target == "host" else 5, seed=7, target=target)
    assert result.outputs.dtype == np.float32
    assert np.array_equal(result.outputs.view(np.uint32), result.expected.view(np.uint32)), result.summary()
